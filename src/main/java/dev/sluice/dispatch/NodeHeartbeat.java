package dev.sluice.dispatch;

import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.sluice.queue.WorkerLedger;

/**
 * The node's heartbeat, run by the loop thread: registers the node, renews the leases of what it runs,
 * repairs its token list, hands back what it holds but never started, passes on cancels whose message
 * was missed, and notices a Redis that lost the namespace's data. Keeps the counts it reports.
 */
final class NodeHeartbeat {

    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);

    private final WorkerLedger ledger;
    private final String node;
    private final int poolSize;
    private final NodeBook book;
    private final Consumer<String> cancel;

    private volatile String epoch;
    private volatile long repairs;
    private volatile long dataLosses;

    NodeHeartbeat(WorkerLedger ledger, String node, int poolSize, NodeBook book, Consumer<String> cancel) {
        this.ledger = ledger;
        this.node = node;
        this.poolSize = poolSize;
        this.book = book;
        this.cancel = cancel;
    }

    /** The start-up registration: every token idle, nothing running. */
    void register() {
        epoch = ledger.register(node, poolSize, book.idle()).epoch();
    }

    void beat(long now) {
        NodeBook.Leases leases = book.leases(now);
        WorkerLedger.Heartbeat beat = ledger.heartbeat(node, poolSize, book.idle(), leases.renew(), leases.held(),
                epoch);
        if (beat.repaired()) {
            repairs++;
            log.warn("Node {}: free-worker list in Redis had drifted from the {} idle workers; rewrote it",
                    node, book.idle().size());
        }
        if (beat.handedBack() > 0) {
            log.warn("Node {}: handed back {} jobs it held a lease for but never started (a claim's reply was "
                    + "lost); they are queued again with their attempt given back", node, beat.handedBack());
        }
        if (beat.dataLost()) {
            dataLosses++;
            log.error("Node {}: Redis no longer holds this namespace's data (epoch marker {} is gone or changed to "
                    + "{}): it was restarted without persistence, flushed or evicted. Jobs accepted before are "
                    + "lost; check the Redis server's persistence and maxmemory-policy.", node, epoch, beat.epoch());
        }
        epoch = beat.epoch();
        beat.cancel().forEach(cancel);
    }

    long repairs() {
        return repairs;
    }

    long dataLosses() {
        return dataLosses;
    }
}
