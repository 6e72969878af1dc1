package dev.sluice.jobs;

import java.time.Duration;

import dev.sluice.queue.Priority;

/**
 * Hears what happens to jobs on this node, for metrics. Implementations must be quick and must not
 * throw: they run on the submitting request's thread and on worker threads.
 */
public interface JobObserver {

    /** A job was accepted (queued or scheduled). */
    default void submitted(String type, Priority priority) {
    }

    /** A worker started a job that waited {@code waited} since it was created (or became due). */
    default void started(String type, Priority priority, Duration waited) {
    }

    /**
     * A delivery ended.
     *
     * @param outcome succeeded, failed, timeout, cancelled or permanent
     */
    default void finished(String type, String outcome, Duration ran) {
    }
}
