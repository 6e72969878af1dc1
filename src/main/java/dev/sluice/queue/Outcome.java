package dev.sluice.queue;

import java.time.Duration;

/**
 * How one delivery of a job ended, to be written back with its token.
 *
 * @param result  JSON text when succeeded
 * @param error   message when failed
 * @param backoff when failed and retryable: how long to wait before the next attempt
 */
public record Outcome(String id, String token, int attempt, Kind kind, String result, String error,
        String errorType, Duration backoff) {

    public enum Kind {
        SUCCEEDED,
        /** interrupted because a cancel was requested */
        CANCELLED,
        /** failed; retried while attempts remain */
        FAILED,
        /** failed in a way retrying cannot mend */
        PERMANENT;

        public String wire() {
            return name().toLowerCase();
        }
    }

    public static Outcome succeeded(ClaimedJob job, String result) {
        return new Outcome(job.id(), job.token(), job.attempt(), Kind.SUCCEEDED, result, null, null, Duration.ZERO);
    }

    public static Outcome cancelled(ClaimedJob job) {
        return new Outcome(job.id(), job.token(), job.attempt(), Kind.CANCELLED, null, null, null, Duration.ZERO);
    }

    public static Outcome failed(ClaimedJob job, String error, String errorType, Duration backoff) {
        return new Outcome(job.id(), job.token(), job.attempt(), Kind.FAILED, null, error, errorType, backoff);
    }

    public static Outcome failedPermanently(ClaimedJob job, String error, String errorType) {
        return new Outcome(job.id(), job.token(), job.attempt(), Kind.PERMANENT, null, error, errorType, Duration.ZERO);
    }
}
