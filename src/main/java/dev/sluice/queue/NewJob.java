package dev.sluice.queue;

import java.time.Duration;

/** A validated job ready to be enqueued; its id is chosen by the caller. */
public record NewJob(String id, String type, Priority priority, String payload, int maxAttempts, Duration timeout) {
}
