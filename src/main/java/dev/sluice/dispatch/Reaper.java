package dev.sluice.dispatch;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

import dev.sluice.config.NodeId;
import dev.sluice.config.SluiceProperties;
import dev.sluice.queue.NodeRecovery;

/**
 * Runs on every node; each tick, the node that takes the tick's lock in Redis recovers jobs whose
 * lease ran out and removes nodes that stopped heart-beating (see reap.lua).
 */
@Component
public final class Reaper implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Reaper.class);

    private final NodeRecovery recovery;
    private final SluiceProperties.Dispatch settings;
    private final String node;
    private final AtomicLong recovered = new AtomicLong();
    private final TaskScheduler scheduler;
    private volatile ScheduledFuture<?> ticks;

    Reaper(NodeRecovery recovery, SluiceProperties properties, NodeId node, TaskScheduler scheduler) {
        this.scheduler = scheduler;
        this.recovery = recovery;
        this.settings = properties.dispatch();
        this.node = node.value();
    }

    /** Reaps once, now, if no other node holds this tick's lock. */
    public NodeRecovery.Reaped reapNow() {
        NodeRecovery.Reaped reaped = recovery.reap(node);
        if (!reaped.skipped() && reaped.requeued() + reaped.cancelled() + reaped.gaveUp() + reaped.nodes() > 0) {
            recovered.addAndGet(reaped.requeued() + reaped.cancelled() + reaped.gaveUp());
            log.warn("Reaper on {}: {} jobs back in their queues, {} cancelled, {} out of attempts; {} silent nodes "
                    + "removed", node, reaped.requeued(), reaped.cancelled(), reaped.gaveUp(), reaped.nodes());
        }
        if (!reaped.skipped() && reaped.recounted() > 0) {
            log.warn("Reaper on {}: {} running counts of capped job types were wrong (a running job's record was "
                    + "lost?) and were recounted from the leases", node, reaped.recounted());
        }
        return reaped;
    }

    /** Jobs this node's reaper recovered since start. */
    public long recovered() {
        return recovered.get();
    }

    @Override
    public void start() {
        Duration every = settings.reaperInterval();
        ticks = scheduler.scheduleWithFixedDelay(() -> {
            try {
                reapNow();
            } catch (RuntimeException e) {
                log.debug("Reaper on {} could not reach Redis: {}", node, e.getMessage());
            }
        }, scheduler.getClock().instant().plus(every), every);
    }

    @Override
    public void stop() {
        ticks.cancel(true);
        ticks = null;
    }

    @Override
    public boolean isRunning() {
        return ticks != null;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }
}
