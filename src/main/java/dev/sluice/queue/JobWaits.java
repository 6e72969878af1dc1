package dev.sluice.queue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * The one wait protocol: register for the jobs' final states, then read them (marking them watched,
 * so their ends are announced), then wait for those not yet final, then read them again. Registering
 * before reading is what leaves no gap: a job that finishes after the read is announced to a
 * registration that already exists. Long-polls, batch waits and cancels all wait this way; nothing
 * polls Redis while it waits.
 */
@Component
public class JobWaits {

    private final JobEvents events;
    private final JobStore store;
    private final QueueInspector inspector;
    private final Executor executor;

    JobWaits(JobEvents events, JobStore store, QueueInspector inspector,
            @Qualifier("sluiceWaitExecutor") Executor executor) {
        this.events = events;
        this.store = store;
        this.inspector = inspector;
        this.executor = executor;
    }

    /**
     * Completes with the jobs (null where a job does not exist) once every one of them is final, or
     * when {@code timeout} has passed, whichever is first: at once when they are final already or the
     * timeout is zero.
     *
     * @param check sees the first read before any waiting, and may throw (a job the caller may not
     *              read): the registration is released and nothing is waited for
     */
    public CompletableFuture<List<Job>> awaitFinal(List<String> ids, Duration timeout, Consumer<List<Job>> check) {
        FinishWaiter waiter = events.waitFor(ids);
        List<Job> now;
        try {
            now = store.watchAll(ids);
            check.accept(now);
        } catch (RuntimeException e) {
            waiter.cancel();
            throw e;
        }
        List<String> pending = now.stream().filter(job -> job != null && !job.state().isFinal()).map(Job::id).toList();
        if (pending.isEmpty() || timeout.isZero() || timeout.isNegative()) {
            waiter.cancel();
            return CompletableFuture.completedFuture(now);
        }
        return waiter.until(pending, timeout).thenApplyAsync(done -> inspector.jobs(ids), executor);
    }

    /**
     * {@link #awaitFinal} reading only the jobs' states (null where a job does not exist): a batch's
     * progress, whose jobs' payloads and results may be large, is never read whole.
     */
    public CompletableFuture<List<JobState>> awaitFinalStates(List<String> ids, Duration timeout) {
        FinishWaiter waiter = events.waitFor(ids);
        List<JobState> now;
        try {
            now = store.watchStates(ids);
        } catch (RuntimeException e) {
            waiter.cancel();
            throw e;
        }
        List<String> pending = new java.util.ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (now.get(i) != null && !now.get(i).isFinal()) {
                pending.add(ids.get(i));
            }
        }
        if (pending.isEmpty() || timeout.isZero() || timeout.isNegative()) {
            waiter.cancel();
            return CompletableFuture.completedFuture(now);
        }
        return waiter.until(pending, timeout).thenApplyAsync(done -> inspector.states(ids), executor);
    }
}
