package dev.sluice.jobs;

import java.time.Duration;

/**
 * Thrown by a handler to be run again after {@code after} without using an attempt: the downstream
 * asked for it (429 or 503 with Retry-After: {@link #throttled}, given back at most
 * {@code sluice.http.max-throttled-retries} times, then counted as a failure), or the job could not
 * start for want of a free slot of its target ({@link #deferred}, always given back).
 */
public class RetryLater extends RuntimeException {

    private final Duration after;
    private final boolean throttled;

    private RetryLater(String message, Duration after, boolean throttled) {
        super(message);
        this.after = after;
        this.throttled = throttled;
    }

    public static RetryLater throttled(String message, Duration after) {
        return new RetryLater(message, after, true);
    }

    public static RetryLater deferred(String message, Duration after) {
        return new RetryLater(message, after, false);
    }

    public Duration after() {
        return after;
    }

    public boolean isThrottled() {
        return throttled;
    }
}
