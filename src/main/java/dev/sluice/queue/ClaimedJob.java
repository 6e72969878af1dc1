package dev.sluice.queue;

import java.time.Duration;

/**
 * A job a node has claimed, with the free-worker token that pays for it.
 *
 * @param attempt which delivery this is (1 for the first); it fences the outcome
 */
public record ClaimedJob(String id, String token, String type, String payload, int attempt, Duration timeout) {
}
