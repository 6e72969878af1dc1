package dev.sluice.dispatch;

import org.slf4j.Logger;

import dev.sluice.queue.RedisFailures;

/** How the dispatcher's loop reports what went wrong with a round trip to Redis. */
final class Failures {

    private Failures() {
    }

    /**
     * An outage (Redis unreachable, a command timed out) is expected and retried quietly; anything else
     * is a bug and is logged as one, with its stack trace at the first of a run of failures.
     */
    static void report(Logger log, String node, String what, RuntimeException e, boolean first) {
        if (RedisFailures.isOutage(e)) {
            log.warn("Node {} lost Redis during {} ({}); retrying", node, what, e.getMessage());
        } else if (first) {
            log.error("Node {}: unexpected failure during {}; retrying", node, what, e);
        } else {
            log.error("Node {}: unexpected failure during {} again ({}); retrying", node, what, e.getMessage());
        }
    }
}
