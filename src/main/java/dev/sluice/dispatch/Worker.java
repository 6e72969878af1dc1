package dev.sluice.dispatch;

import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;
import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobObserver;
import dev.sluice.jobs.JobTypes;
import dev.sluice.jobs.PermanentJobFailure;
import dev.sluice.jobs.RetryLater;
import dev.sluice.jobs.RetryPolicy;
import dev.sluice.queue.ClaimedJob;
import dev.sluice.queue.JobStore;
import dev.sluice.queue.Outcome;

/** Runs one claimed job on a worker thread and turns whatever happens into an outcome. */
@Component
class Worker {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final JobTypes types;
    private final JobStore store;
    private final RetryPolicy retry;
    private final List<JobObserver> observers;
    private final dev.sluice.queue.Traces traces;

    Worker(JobTypes types, JobStore store, SluiceProperties properties, List<JobObserver> observers,
            dev.sluice.queue.Traces traces) {
        this.types = types;
        this.store = store;
        this.retry = RetryPolicy.of(properties.retry());
        this.observers = observers;
        this.traces = traces;
    }

    /**
     * Never throws: every path yields an outcome, and with it the job's token. {@code interruption}
     * tells why the thread was interrupted, if it was; it decides the outcome over what the handler did.
     */
    Outcome run(ClaimedJob job, Execution execution) {
        observe(o -> o.started(job.type(), job.priority(), job.waited()));
        long start = System.nanoTime();
        Outcome outcome = traced(job, execution);
        Duration ran = Duration.ofNanos(System.nanoTime() - start);
        String kind = "Timeout".equals(outcome.errorType()) ? "timeout" : outcome.kind().name().toLowerCase();
        observe(o -> o.finished(job.type(), kind, ran));
        return outcome;
    }

    /**
     * The attempt in a span of its own, a child of the submitting request's (the job's traceparent), so
     * a trace shows the request and every attempt; its log lines carry the trace id (MDC). A job
     * submitted without a sampled trace runs without a span.
     */
    private Outcome traced(ClaimedJob job, Execution execution) {
        io.micrometer.tracing.Tracer tracer = traces.tracer();
        io.micrometer.tracing.TraceContext parent = traces.parse(job.traceparent());
        if (tracer == null || parent == null) {
            return attempt(job, execution);
        }
        io.micrometer.tracing.Span span = tracer.spanBuilder().setParent(parent).name("sluice.job " + job.type())
                .kind(io.micrometer.tracing.Span.Kind.CONSUMER).tag("sluice.job.id", job.id())
                .tag("sluice.job.type", job.type()).tag("sluice.job.attempt", Integer.toString(job.attempt())).start();
        try (io.micrometer.tracing.Tracer.SpanInScope scope = tracer.withSpan(span)) {
            Outcome outcome = attempt(job, execution);
            span.tag("sluice.job.outcome", outcome.kind().name().toLowerCase());
            if (outcome.error() != null) {
                span.error(new RuntimeException(outcome.error()));
            }
            return outcome;
        } finally {
            span.end();
        }
    }

    /** An observer (metrics) that throws must not change how the job ended. */
    private void observe(java.util.function.Consumer<JobObserver> call) {
        for (JobObserver observer : observers) {
            try {
                call.accept(observer);
            } catch (RuntimeException e) {
                log.warn("Observer {} failed: {}", observer.getClass().getSimpleName(), e.toString());
            }
        }
    }

    private Outcome attempt(ClaimedJob job, Execution execution) {
        MDC.put("jobId", job.id());
        MDC.put("jobType", job.type());
        Outcome outcome;
        try {
            outcome = Outcome.succeeded(job, types.run(job.type(), job.payload(),
                    new JobContext(job.id(), job.type(), job.attempt(),
                            (percent, message) -> store.progress(job.id(), job.attempt(), percent, message))));
        } catch (PermanentJobFailure e) {
            outcome = Outcome.failedPermanently(job, message(e), e.getClass().getSimpleName());
        } catch (RetryLater e) {
            outcome = e.isThrottled() ? Outcome.throttled(job, message(e), "Throttled", e.after())
                    : Outcome.deferred(job, message(e), e.after());
        } catch (Throwable e) {
            log.debug("Job failed", e);
            outcome = Outcome.failed(job, message(e), e.getClass().getSimpleName(), retry.backoff(job.attempt()));
        } finally {
            MDC.remove("jobId");
            MDC.remove("jobType");
        }
        Execution.Interruption why = execution.finish();
        if (why == Execution.Interruption.CANCEL) {
            return Outcome.cancelled(job);
        }
        if (why == Execution.Interruption.TIMEOUT) {
            return Outcome.failed(job, "timed out after " + job.timeout().toMillis() + " ms", "Timeout",
                    retry.backoff(job.attempt()));
        }
        return outcome;
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
