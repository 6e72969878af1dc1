package dev.sluice.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

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
        return await(ids, timeout, store::watchAll, inspector::jobs, Job::state, check);
    }

    /**
     * {@link #awaitFinal} reading only the jobs' states (null where a job does not exist): a batch's
     * progress, whose jobs' payloads and results may be large, is never read whole.
     */
    public CompletableFuture<List<JobState>> awaitFinalStates(List<String> ids, Duration timeout) {
        return await(ids, timeout, store::watchStates, inspector::states, state -> state, now -> { });
    }

    /**
     * The one wait: register, read and mark with {@code watch}, then, unless every job is final (or
     * gone), wait for the rest and read again with {@code reread}.
     */
    private <T> CompletableFuture<List<T>> await(List<String> ids, Duration timeout,
            Function<List<String>, List<T>> watch, Function<List<String>, List<T>> reread,
            Function<T, JobState> stateOf, Consumer<List<T>> check) {
        FinishWaiter waiter = events.waitFor(ids);
        List<T> now;
        try {
            now = watch.apply(ids);
            check.accept(now);
        } catch (RuntimeException e) {
            waiter.cancel();
            throw e;
        }
        List<String> pending = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            T job = now.get(i);
            if (job != null && !stateOf.apply(job).isFinal()) {
                pending.add(ids.get(i));
            }
        }
        if (pending.isEmpty() || timeout.isZero() || timeout.isNegative()) {
            waiter.cancel();
            return CompletableFuture.completedFuture(now);
        }
        return waiter.until(pending, timeout).thenApplyAsync(done -> reread.apply(ids), executor);
    }
}
