package dev.sluice.jobs;

import java.time.Duration;

import tools.jackson.databind.JsonNode;

import dev.sluice.queue.Priority;

/**
 * What a client asks to run. Null fields take defaults: priority normal, attempts and timeout from
 * the job type.
 */
public record JobRequest(String type, JsonNode payload, Priority priority, Integer maxAttempts, Duration timeout) {

    public static JobRequest of(String type, JsonNode payload, Priority priority) {
        return new JobRequest(type, payload, priority, null, null);
    }
}
