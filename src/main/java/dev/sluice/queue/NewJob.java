package dev.sluice.queue;

import java.time.Duration;

/**
 * A validated job ready to be enqueued; its id is chosen by the caller.
 *
 * @param delay how long from now (by Redis time) it waits as {@code scheduled}; zero to queue at once
 * @param owner the API key name that submitted it, or null
 */
public record NewJob(String id, String type, Priority priority, String payload, int maxAttempts, Duration timeout,
        Duration delay, String owner) {

    public NewJob(String id, String type, Priority priority, String payload, int maxAttempts, Duration timeout,
            Duration delay) {
        this(id, type, priority, payload, maxAttempts, timeout, delay, null);
    }

    public NewJob(String id, String type, Priority priority, String payload, int maxAttempts, Duration timeout) {
        this(id, type, priority, payload, maxAttempts, timeout, Duration.ZERO, null);
    }
}
