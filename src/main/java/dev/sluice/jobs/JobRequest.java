package dev.sluice.jobs;

import java.time.Duration;
import java.time.Instant;

import tools.jackson.databind.JsonNode;

import dev.sluice.queue.Priority;

/**
 * What a client asks to run. Null fields take defaults: priority normal, attempts and timeout from
 * the job type, run at once.
 *
 * @param delay how long to wait before the job is queued; or
 * @param runAt when to queue it (converted to a delay with this node's clock); not both
 */
public record JobRequest(String type, JsonNode payload, Priority priority, Integer maxAttempts, Duration timeout,
        Duration delay, Instant runAt) {

    public static JobRequest of(String type, JsonNode payload, Priority priority) {
        return new JobRequest(type, payload, priority, null, null, null, null);
    }

    public JobRequest withDelay(Duration wait) {
        return new JobRequest(type, payload, priority, maxAttempts, timeout, wait, null);
    }
}
