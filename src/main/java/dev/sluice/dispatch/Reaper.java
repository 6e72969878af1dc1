package dev.sluice.dispatch;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

import dev.sluice.config.NodeId;
import dev.sluice.config.SluiceProperties;
import dev.sluice.queue.WorkerLedger;

/**
 * Runs on every node; each tick, the node that takes the tick's lock in Redis recovers jobs whose
 * lease ran out and removes nodes that stopped heart-beating (see reap.lua).
 */
@Component
public final class Reaper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Reaper.class);

    private final WorkerLedger ledger;
    private final SluiceProperties.Dispatch settings;
    private final String node;
    private final AtomicLong recovered = new AtomicLong();
    private volatile ScheduledExecutorService timer;

    Reaper(WorkerLedger ledger, SluiceProperties properties, NodeId node) {
        this.ledger = ledger;
        this.settings = properties.dispatch();
        this.node = node.value();
    }

    /** Reaps once, now, if no other node holds this tick's lock. */
    public WorkerLedger.Reaped reapNow() {
        WorkerLedger.Reaped reaped = ledger.reap(node);
        if (!reaped.skipped() && reaped.requeued() + reaped.cancelled() + reaped.gaveUp() + reaped.nodes() > 0) {
            recovered.addAndGet(reaped.requeued() + reaped.cancelled() + reaped.gaveUp());
            log.warn("Reaper on {}: {} jobs back in their queues, {} cancelled, {} out of attempts; {} silent nodes "
                    + "removed", node, reaped.requeued(), reaped.cancelled(), reaped.gaveUp(), reaped.nodes());
        }
        return reaped;
    }

    /** Jobs this node's reaper recovered since start. */
    public long recovered() {
        return recovered.get();
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(daemon());
        long every = settings.reaperInterval().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                reapNow();
            } catch (RuntimeException e) {
                log.debug("Reaper on {} could not reach Redis: {}", node, e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        timer.shutdownNow();
        timer = null;
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    private static CustomizableThreadFactory daemon() {
        CustomizableThreadFactory threads = new CustomizableThreadFactory("sluice-reaper-");
        threads.setDaemon(true);
        return threads;
    }
}
