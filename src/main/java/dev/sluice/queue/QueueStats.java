package dev.sluice.queue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of the queues and the nodes working them, read atomically.
 *
 * @param depths   waiting jobs per priority
 * @param running  jobs leased by any node
 * @param scheduled jobs submitted for later, not yet due
 * @param retrying failed jobs waiting out a retry back-off
 * @param dead     jobs in the dead-letter set
 * @param nodes    every registered node
 */
public record QueueStats(Map<Priority, Long> depths, long running, long scheduled, long retrying, long dead,
        List<NodeStats> nodes) {

    /**
     * @param freeWorkers tokens in the node's free-worker list
     * @param running     jobs in the node's lease set
     */
    public record NodeStats(String id, int poolSize, long freeWorkers, long running, Instant lastHeartbeat) {

        public long busyWorkers() {
            return poolSize - freeWorkers;
        }

        /** The token invariant: every worker is either free or running exactly one job. */
        public boolean consistent() {
            return freeWorkers + running == poolSize;
        }
    }
}
