package dev.sluice.dispatch;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import dev.sluice.queue.ClaimedJob;
import dev.sluice.queue.Outcome;

/**
 * The node's fixed pool of worker threads, with a timer per job for its timeout and a way to
 * interrupt a job by id (cancel) or all of them (shutdown).
 */
final class WorkerPool {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WorkerPool.class);

    private final ThreadPoolExecutor threads;
    private final ScheduledThreadPoolExecutor timers;
    /** Runs one job on a worker thread and says how it ended. */
    interface Runner {
        Outcome run(ClaimedJob job, Execution execution);
    }

    private final Runner runner;
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();

    WorkerPool(int size, Runner runner) {
        this.runner = runner;
        // The token gate bounds submissions to the pool size; this queue only bridges the instant
        // between a worker reporting its outcome and returning to the pool.
        this.threads = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                daemonThreads("sluice-worker-"));
        this.timers = new ScheduledThreadPoolExecutor(1, daemonThreads("sluice-timeouts-"));
        timers.setRemoveOnCancelPolicy(true);
    }

    /**
     * Runs {@code job}; {@code done} gets its outcome on the worker thread, on every path: even when
     * the runner throws (a failing observer, an error), the outcome, and with it the worker's token,
     * is handed back in {@code finally}.
     */
    void run(ClaimedJob job, Consumer<Outcome> done) {
        Execution execution = new Execution();
        executions.put(job.id(), execution);
        ScheduledFuture<?> timeout = job.timeout().isZero() ? null : timers.schedule(
                () -> execution.interrupt(Execution.Interruption.TIMEOUT), job.timeout().toMillis(), TimeUnit.MILLISECONDS);
        threads.execute(() -> {
            Outcome outcome = null;
            try {
                execution.begin();
                outcome = runner.run(job, execution);
            } catch (Throwable e) {
                log.error("Job {}: the worker failed outside the handler", job.id(), e);
                outcome = Outcome.failed(job, "the worker failed: " + e.getClass().getSimpleName(), "WorkerError",
                        java.time.Duration.ofSeconds(1));
            } finally {
                executions.remove(job.id(), execution);
                if (timeout != null) {
                    timeout.cancel(false);
                }
                done.accept(outcome != null ? outcome
                        : Outcome.failed(job, "the worker ended without an outcome", "WorkerError",
                                java.time.Duration.ofSeconds(1)));
            }
        });
    }

    /** Interrupts the job if it runs here; returns whether it did. */
    boolean cancel(String jobId) {
        Execution execution = executions.get(jobId);
        if (execution != null) {
            execution.interrupt(Execution.Interruption.CANCEL);
        }
        return execution != null;
    }

    /** Interrupts every running job and stops the threads. Their jobs are put back by the caller. */
    void shutdownNow() {
        executions.values().forEach(e -> e.interrupt(Execution.Interruption.SHUTDOWN));
        threads.shutdownNow();
        timers.shutdownNow();
    }

    /** Lets running jobs finish; takes no new ones. */
    void shutdown() {
        threads.shutdown();
        timers.shutdown();
    }

    private static CustomizableThreadFactory daemonThreads(String prefix) {
        CustomizableThreadFactory factory = new CustomizableThreadFactory(prefix);
        // A handler that ignores interruption must not keep the JVM alive; its job was put back.
        factory.setDaemon(true);
        return factory;
    }
}
