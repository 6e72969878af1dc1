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
        PERMANENT,
        /**
         * the downstream asked to be called later (429 or 503 with Retry-After): retried after {@code backoff}
         * with the attempt given back, up to sluice.http.max-throttled-retries times; then it counts as FAILED
         */
        THROTTLED,
        /** not started for want of a free slot of its target: retried after {@code backoff}, the attempt given back */
        DEFERRED;

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

    public static Outcome throttled(ClaimedJob job, String error, String errorType, Duration after) {
        return new Outcome(job.id(), job.token(), job.attempt(), Kind.THROTTLED, null, error, errorType, after);
    }

    public static Outcome deferred(ClaimedJob job, String error, Duration after) {
        return new Outcome(job.id(), job.token(), job.attempt(), Kind.DEFERRED, null, error, "Deferred", after);
    }

    public static Outcome failedPermanently(ClaimedJob job, String error, String errorType) {
        return new Outcome(job.id(), job.token(), job.attempt(), Kind.PERMANENT, null, error, errorType, Duration.ZERO);
    }
}
