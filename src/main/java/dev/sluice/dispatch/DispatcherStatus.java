package dev.sluice.dispatch;

import java.time.Instant;

/**
 * What the dispatcher reports about itself.
 *
 * @param enabled     false on an API-only node, which runs no jobs
 * @param alive       whether its loop thread runs
 * @param stopping    whether it is draining for shutdown (it claims nothing more)
 * @param lastContact when a round trip to Redis last succeeded
 * @param lastCycle   when a claim-and-complete cycle last ran through without failing
 * @param repairs     how often the heartbeat found the token list drifted and rewrote it
 * @param lostJobs    queued job ids this node found without a job record (evicted or lost by Redis)
 * @param dataLosses  how often this node found Redis had lost the namespace's data (epoch marker gone)
 */
public record DispatcherStatus(String node, int poolSize, boolean enabled, boolean alive, boolean stopping, Instant lastContact,
        Instant lastCycle, long repairs, long lostJobs, long dataLosses) {
}
