package dev.sluice.monitoring;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.JobObserver;
import dev.sluice.queue.Priority;

/**
 * Counters and timers of what jobs do on this node: {@code sluice.jobs.submitted} (type, priority),
 * {@code sluice.jobs.finished} (type, outcome), {@code sluice.jobs.wait} (queue wait; type, priority)
 * and {@code sluice.jobs.run} (run time; type), the timers with histograms for percentiles. Each meter
 * is built once per combination of tags and kept: these run for every job, on worker threads.
 */
@Component
class JobMeters implements JobObserver {

    private final MeterRegistry registry;
    private final Map<String, Counter> submitted = new ConcurrentHashMap<>();
    private final Map<String, Counter> finished = new ConcurrentHashMap<>();
    private final Map<String, Timer> waits = new ConcurrentHashMap<>();
    private final Map<String, Timer> runs = new ConcurrentHashMap<>();

    JobMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void submitted(String type, Priority priority) {
        meter(submitted, type + '\0' + priority.wire(), key -> Counter.builder("sluice.jobs.submitted")
                .description("jobs accepted").tag("type", type).tag("priority", priority.wire())
                .register(registry)).increment();
    }

    @Override
    public void started(String type, Priority priority, Duration waited) {
        meter(waits, type + '\0' + priority.wire(), key -> Timer.builder("sluice.jobs.wait")
                .description("time from creation (or due time) to start").tag("type", type)
                .tag("priority", priority.wire()).publishPercentileHistogram().register(registry)).record(waited);
    }

    @Override
    public void finished(String type, String outcome, Duration ran) {
        meter(finished, type + '\0' + outcome, key -> Counter.builder("sluice.jobs.finished")
                .description("deliveries ended, by outcome").tag("type", type).tag("outcome", outcome)
                .register(registry)).increment();
        meter(runs, type, key -> Timer.builder("sluice.jobs.run").description("how long a delivery ran")
                .tag("type", type).publishPercentileHistogram().register(registry)).record(ran);
    }

    private static <M> M meter(Map<String, M> cache, String key, Function<String, M> build) {
        M meter = cache.get(key);
        return meter != null ? meter : cache.computeIfAbsent(key, build);
    }
}
