package dev.sluice.queue;

import java.time.Duration;
import java.time.Instant;

/**
 * A validated job ready to be enqueued; its id is chosen by the caller.
 *
 * @param delay how long from now (by Redis time) it waits as {@code scheduled}; zero to queue at once
 * @param owner the API key name that submitted it, or null
 * @param runAt when set, the time it is due instead of {@code delay}: compared with Redis time, so
 *              nodes with skewed clocks agree; a time past is at once
 * @param remote whether its type is a remote one (registered over HTTP, run by remote workers): then it
 *               waits in its type's own lane, which only workers of that type claim from
 * @param callback the callback to create when it ends (JSON as Callback.Policy#spec makes it), or null
 * @param key      its tenant, customer or resource, or null: jobs of one priority are served round-robin
 *                 across keys (push_job, pop_fair in the scripts' prelude)
 */
public record NewJob(String id, String type, Priority priority, String payload, int maxAttempts, Duration timeout,
        Duration delay, String owner, Instant runAt, boolean remote, String callback, String key) {

    /** The same job under another id (placed in another partition). */
    public NewJob withId(String otherId) {
        return new NewJob(otherId, type, priority, payload, maxAttempts, timeout, delay, owner, runAt, remote, callback,
                key);
    }

    public NewJob(String id, String type, Priority priority, String payload, int maxAttempts, Duration timeout,
            Duration delay, String owner, Instant runAt, boolean remote) {
        this(id, type, priority, payload, maxAttempts, timeout, delay, owner, runAt, remote, null, null);
    }

    public NewJob(String id, String type, Priority priority, String payload, int maxAttempts, Duration timeout,
            Duration delay, String owner, Instant runAt) {
        this(id, type, priority, payload, maxAttempts, timeout, delay, owner, runAt, false);
    }

    public NewJob(String id, String type, Priority priority, String payload, int maxAttempts, Duration timeout,
            Duration delay, String owner) {
        this(id, type, priority, payload, maxAttempts, timeout, delay, owner, null);
    }

    public NewJob(String id, String type, Priority priority, String payload, int maxAttempts, Duration timeout,
            Duration delay) {
        this(id, type, priority, payload, maxAttempts, timeout, delay, null);
    }

    public NewJob(String id, String type, Priority priority, String payload, int maxAttempts, Duration timeout) {
        this(id, type, priority, payload, maxAttempts, timeout, Duration.ZERO, null);
    }
}
