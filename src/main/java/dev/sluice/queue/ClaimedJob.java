package dev.sluice.queue;

import java.time.Duration;

/**
 * A job a node has claimed, with the free-worker token that pays for it.
 *
 * @param attempt which delivery this is (1 for the first); it fences the outcome
 * @param waited  how long it waited since it was created (or became due), by Redis time
 */
public record ClaimedJob(String id, String token, String type, String payload, int attempt, Duration timeout,
        Priority priority, Duration waited, String traceparent) {

    public ClaimedJob(String id, String token, String type, String payload, int attempt, Duration timeout) {
        this(id, token, type, payload, attempt, timeout, Priority.NORMAL, Duration.ZERO, null);
    }

    public ClaimedJob(String id, String token, String type, String payload, int attempt, Duration timeout,
            Priority priority, Duration waited) {
        this(id, token, type, payload, attempt, timeout, priority, waited, null);
    }
}
