package dev.sluice.monitoring;

import java.time.Duration;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.stereotype.Component;

import dev.sluice.config.NodeId;
import dev.sluice.dispatch.Dispatcher;
import dev.sluice.dispatch.Reaper;
import dev.sluice.queue.Priority;
import dev.sluice.queue.QueueInspector;
import dev.sluice.queue.QueueStats;

/**
 * Gauges of the shared queues and of this node's workers, read from one queue snapshot that is
 * cached for a second, so that frequent scrapes cost Redis at most one read a second.
 */
@Component
class QueueGauges implements MeterBinder {

    private final Dispatcher dispatcher;

    private static final Duration FRESH = Duration.ofSeconds(1);

    private final QueueInspector inspector;
    private final Reaper reaper;
    private final String node;
    private volatile QueueStats stats;
    private volatile long readAt;

    QueueGauges(QueueInspector inspector, Reaper reaper, Dispatcher dispatcher, NodeId node) {
        this.dispatcher = dispatcher;
        this.inspector = inspector;
        this.reaper = reaper;
        this.node = node.value();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Priority priority : Priority.values()) {
            gauge(registry, "sluice.queue.depth", "jobs waiting", s -> s.depths().get(priority))
                    .tag("priority", priority.wire()).register(registry);
        }
        gauge(registry, "sluice.jobs.scheduled", "jobs scheduled for later", QueueStats::scheduled).register(registry);
        gauge(registry, "sluice.jobs.retrying", "jobs waiting out a retry back-off", QueueStats::retrying)
                .register(registry);
        gauge(registry, "sluice.jobs.dead", "jobs in the dead-letter set", QueueStats::dead).register(registry);
        gauge(registry, "sluice.jobs.running", "jobs running on any node", QueueStats::running).register(registry);
        gauge(registry, "sluice.workers.busy", "this node's busy workers",
                s -> self(s) == null ? 0 : self(s).busyWorkers()).tag("node", node).register(registry);
        gauge(registry, "sluice.workers.free", "this node's free-worker tokens",
                s -> self(s) == null ? 0 : self(s).freeWorkers()).tag("node", node).register(registry);
        FunctionCounter.builder("sluice.reaper.recovered", reaper, Reaper::recovered)
                .description("jobs this node's reaper recovered from expired leases").register(registry);
        FunctionCounter.builder("sluice.jobs.lost", dispatcher, d -> d.status().lostJobs())
                .description("queued job ids found without their job record (evicted or lost by Redis)")
                .register(registry);
        FunctionCounter.builder("sluice.redis.data.lost", dispatcher, d -> d.status().dataLosses())
                .description("times this node found Redis had lost the namespace's data (restarted empty, "
                        + "flushed)").register(registry);
    }

    private Gauge.Builder<QueueGauges> gauge(MeterRegistry registry, String name, String description,
            ToDoubleFunction<QueueStats> value) {
        return Gauge.builder(name, this, gauges -> {
            QueueStats snapshot = gauges.snapshot();
            return snapshot == null ? Double.NaN : value.applyAsDouble(snapshot);
        }).description(description);
    }

    private QueueStats.NodeStats self(QueueStats snapshot) {
        return snapshot.nodes().stream().filter(n -> n.id().equals(node)).findFirst().orElse(null);
    }

    private QueueStats snapshot() {
        long now = System.nanoTime();
        if (stats == null || now - readAt > FRESH.toNanos()) {
            try {
                stats = inspector.stats();
                readAt = now;
            } catch (RuntimeException e) {
                return null; // Redis away: the gauges read NaN; health says why
            }
        }
        return stats;
    }
}
