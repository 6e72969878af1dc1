package dev.sluice.queue;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;

/** Tells a Redis outage (retry later) from a bug (an error reply about the command itself). */
public final class RedisFailures {

    private RedisFailures() {
    }

    /**
     * Whether {@code e} means Redis could not be reached or did not answer in time, or answered that it
     * cannot serve now (loading its data, busy with a script, out of memory): the same call can work
     * later. Anything else (a wrong reply, a script error, a bug in our code) is not an outage.
     */
    public static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RedisConnectionFailureException || t instanceof QueryTimeoutException
                    || t instanceof DataAccessResourceFailureException || t instanceof RedisCommandTimeoutException
                    || t instanceof RedisConnectionException) {
                return true;
            }
            if (t instanceof RedisCommandExecutionException reply) {
                String message = String.valueOf(reply.getMessage());
                return message.startsWith("OOM") || message.startsWith("LOADING") || message.startsWith("BUSY")
                        || message.startsWith("MASTERDOWN") || message.startsWith("TRYAGAIN")
                        || message.startsWith("CLUSTERDOWN") || message.startsWith("READONLY");
            }
            String message = String.valueOf(t.getMessage());
            if (message.contains("not connected") || lostInFlight(message)) {
                return true;
            }
        }
        return false;
    }

    /** A connection that broke while the command was out: Redis may have run it before it went. */
    private static boolean lostInFlight(String message) {
        return message.contains("Connection closed") || message.contains("Connection reset")
                || message.contains("Connection disconnected");
    }

    /**
     * Whether the failed command may have been executed all the same: it was sent, and its reply timed
     * out or its connection broke before the reply came.
     */
    public static boolean mayHaveRun(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof QueryTimeoutException || t instanceof RedisCommandTimeoutException
                    || lostInFlight(String.valueOf(t.getMessage()))) {
                return true;
            }
        }
        return false;
    }
}
