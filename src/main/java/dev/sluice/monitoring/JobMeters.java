package dev.sluice.monitoring;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.JobObserver;
import dev.sluice.queue.Priority;

/**
 * Counters and timers of what jobs do on this node: {@code sluice.jobs.submitted} (type, priority),
 * {@code sluice.jobs.finished} (type, outcome), {@code sluice.jobs.wait} (queue wait; type, priority)
 * and {@code sluice.jobs.run} (run time; type), the timers with histograms for percentiles.
 */
@Component
class JobMeters implements JobObserver {

    private final MeterRegistry registry;

    JobMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void submitted(String type, Priority priority) {
        Counter.builder("sluice.jobs.submitted").description("jobs accepted")
                .tag("type", type).tag("priority", priority.wire()).register(registry).increment();
    }

    @Override
    public void started(String type, Priority priority, Duration waited) {
        Timer.builder("sluice.jobs.wait").description("time from creation (or due time) to start")
                .tag("type", type).tag("priority", priority.wire()).publishPercentileHistogram()
                .register(registry).record(waited);
    }

    @Override
    public void finished(String type, String outcome, Duration ran) {
        Counter.builder("sluice.jobs.finished").description("deliveries ended, by outcome")
                .tag("type", type).tag("outcome", outcome).register(registry).increment();
        Timer.builder("sluice.jobs.run").description("how long a delivery ran")
                .tag("type", type).publishPercentileHistogram().register(registry).record(ran);
    }
}
