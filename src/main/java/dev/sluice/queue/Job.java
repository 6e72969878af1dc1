package dev.sluice.queue;

import java.time.Duration;
import java.time.Instant;

/**
 * A job as stored in its Redis hash.
 *
 * @param payload   the payload as JSON text
 * @param result    the handler's result as JSON text, or null
 * @param error     the failure message, or null
 * @param errorType the kind of failure (the exception's simple name), or null
 * @param runAt     when a scheduled job is due (Redis time), or null
 * @param cancelRequested a cancel was asked for while it ran; its worker is being interrupted
 * @param batch     the batch it belongs to, or null
 * @param progress  what a running job last reported, 0-100, or null; with progressMessage
 * @param owner     the API key name that submitted it, or null
 */
public record Job(
        String id,
        String type,
        Priority priority,
        JobState state,
        String payload,
        String result,
        String error,
        String errorType,
        int attempts,
        int maxAttempts,
        Duration timeout,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        Instant runAt,
        String node,
        boolean cancelRequested,
        String batch,
        Integer progress,
        String progressMessage,
        String owner,
        String key,
        /** JSON array of the attempts that did not succeed (the last N), or null: see log_attempt */
        String attemptLog) {
}
