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
 * @param owner the name of the API key that submits it (a producer reads only its own jobs); null
 *              without keys
 * @param callback where to tell when it ends; null for nowhere
 * @param key      the tenant, customer or resource it belongs to (fair share within its priority); null for none
 */
public record JobRequest(String type, JsonNode payload, Priority priority, Integer maxAttempts, Duration timeout,
        Duration delay, Instant runAt, String owner, Callback callback, String key) {

    public JobRequest(String type, JsonNode payload, Priority priority, Integer maxAttempts, Duration timeout,
            Duration delay, Instant runAt, String owner) {
        this(type, payload, priority, maxAttempts, timeout, delay, runAt, owner, null, null);
    }

    public JobRequest(String type, JsonNode payload, Priority priority, Integer maxAttempts, Duration timeout,
            Duration delay, Instant runAt, String owner, Callback callback) {
        this(type, payload, priority, maxAttempts, timeout, delay, runAt, owner, callback, null);
    }

    public static JobRequest of(String type, JsonNode payload, Priority priority) {
        return new JobRequest(type, payload, priority, null, null, null, null, null);
    }

    public JobRequest ownedBy(String name) {
        return new JobRequest(type, payload, priority, maxAttempts, timeout, delay, runAt, name, callback, key);
    }
}
