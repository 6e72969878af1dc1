package dev.sluice.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;
import dev.sluice.queue.JobSignals;
import dev.sluice.queue.RemoteLease;
import dev.sluice.queue.RemoteLedger;

/**
 * Work done by remote workers over HTTP: claims that may wait for work (woken by enqueues, as the
 * dispatcher is; nothing polls Redis while a claim waits, but for one re-registration per third of a
 * lease, which keeps a long-waiting worker registered), lease renewals and outcomes.
 */
@Component
public class RemoteWork {

    private static final Logger log = LoggerFactory.getLogger(RemoteWork.class);

    /** Why a claim or beat was refused. */
    public static final class WorkerRefused extends RuntimeException {
        public enum Reason { OWNED, BUSY, UNKNOWN }

        private final Reason reason;

        WorkerRefused(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /** What a claim got: the jobs (possibly none) and the worker's state (run, quiet, stop). */
    public record Claimed(List<RemoteLedger.RemoteClaim> jobs, String state) {
    }

    private final RemoteLedger ledger;
    private final TaskScheduler scheduler;
    private final Executor executor;
    private final RetryPolicy retry;
    private final Duration refresh;
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    /** Registrations this node refreshed less than a third of a lease ago: a claim then skips worker.lua. */
    private final Map<String, Refreshed> refreshed = new ConcurrentHashMap<>();

    private record Refreshed(String owner, List<String> types, RemoteLedger.Registration registration, long at) {
    }

    RemoteWork(RemoteLedger ledger, JobSignals signals, @Qualifier("sluiceScheduler") TaskScheduler scheduler,
            @Qualifier("sluiceWaitExecutor") Executor executor, SluiceProperties properties) {
        this.ledger = ledger;
        this.scheduler = scheduler;
        this.executor = executor;
        this.retry = RetryPolicy.of(properties.retry());
        this.refresh = properties.dispatch().lease().dividedBy(3);
        signals.onWake(() -> waiters.forEach(waiter -> waiter.run(waiter::attempt)));
    }

    /**
     * Registers (or refreshes) the worker and claims up to {@code max} jobs of {@code types}; when none
     * is there, waits up to {@code wait} for some. A worker that an admin set quiet or stop gets none.
     *
     * @param slots the worker's capacity; null keeps what it registered with (or {@code max} when new)
     */
    public CompletableFuture<Claimed> claim(String workerId, String owner, List<String> types, int max, Integer slots,
            Duration wait) {
        RemoteLedger.Registration registration = registration(workerId, owner, types, slots, max);
        if (!"run".equals(registration.state())) {
            return CompletableFuture.completedFuture(new Claimed(List.of(), registration.state()));
        }
        Waiter waiter = new Waiter(workerId, owner, types, Math.min(max, registration.slots()),
                Instant.now().plus(wait));
        if (wait.isZero()) {
            waiter.attempt();
            waiter.expire();
            return waiter.result;
        }
        waiters.add(waiter); // before the first attempt: a wake-up arriving after it is not missed
        waiter.attempt();
        if (!waiter.result.isDone()) {
            waiter.tick();
        }
        return waiter.result;
    }

    /**
     * A claim's registration: from this node's memory when it refreshed the same worker (same key, types and
     * slots) less than a third of a lease ago, which the reaper cannot have undone (it waits a whole lease);
     * an admin's state change then reaches the worker within that third.
     */
    private RemoteLedger.Registration registration(String workerId, String owner, List<String> types, Integer slots,
            int max) {
        Refreshed known = refreshed.get(workerId);
        long now = System.nanoTime();
        if (known != null && now - known.at() < refresh.toNanos() && java.util.Objects.equals(known.owner(), owner)
                && known.types().equals(types) && (slots == null || slots == known.registration().slots())) {
            return known.registration();
        }
        RemoteLedger.Registration registration = register(workerId, owner, types, slots, max);
        if (refreshed.size() > 10_000) {
            refreshed.clear();
        }
        refreshed.put(workerId, new Refreshed(owner, List.copyOf(types), registration, now));
        return registration;
    }

    private RemoteLedger.Registration register(String workerId, String owner, List<String> types, Integer slots,
            int max) {
        RemoteLedger.Registration registration = ledger.register(workerId, slots, owner, types);
        if (registration.status() == RemoteLedger.Status.UNKNOWN && (slots != null || max > 0)) {
            registration = ledger.register(workerId, slots != null ? slots : max, owner, types);
        }
        return switch (registration.status()) {
            case OK -> registration;
            case OWNED -> throw new WorkerRefused(WorkerRefused.Reason.OWNED, "worker id '" + workerId
                    + "' is registered by another API key");
            case BUSY -> throw new WorkerRefused(WorkerRefused.Reason.BUSY, "worker '" + workerId + "' has "
                    + registration.slots() + " slots and holds " + registration.leased() + " jobs: its slots can change "
                    + "only while it holds none (finish them, or use a new worker id)");
            case UNKNOWN -> throw new WorkerRefused(WorkerRefused.Reason.UNKNOWN, "worker '" + workerId
                    + "' is not registered");
        };
    }

    /** Keeps an idle worker registered; returns its state (run, quiet, stop). */
    public String beat(String workerId, String owner) {
        return register(workerId, owner, List.of(), null, 0).state();
    }

    /** Sets a registered worker's state (run, quiet, stop); false when it is not registered. */
    public boolean setState(String workerId, String state) {
        refreshed.remove(workerId);
        return ledger.setState(workerId, state);
    }

    /** Renews the lease of a job a remote worker runs. */
    public RemoteLedger.Renewal renew(String jobId, RemoteLease lease, Integer percent, String message, String owner) {
        return ledger.renew(jobId, lease, percent, message, owner);
    }

    /** How a remote worker says a job ended. */
    public enum End {
        SUCCEEDED, FAILED, PERMANENT,
        /** handed back unfinished (the worker is stopping): to the head of its lane, the attempt given back */
        RELEASED
    }

    /**
     * A job's end as a remote worker reports it.
     *
     * @param retryAfter when to retry instead of the back-off (FAILED); null for the back-off
     */
    public record Report(String jobId, RemoteLease lease, End end, String result, String errorType,
            String errorMessage, Duration retryAfter) {
    }

    /** Records outcomes of jobs held by one worker; null when the worker belongs to another key. */
    public List<RemoteLedger.Finished> finish(String workerId, String owner, List<Report> reports) {
        return ledger.finish(workerId, owner, reports.stream().map(report -> new RemoteLedger.RemoteOutcome(
                report.jobId(), report.lease(), report.end().name().toLowerCase(), report.result(),
                report.errorMessage(), report.errorType(),
                report.end() != End.FAILED ? Duration.ZERO : report.retryAfter() != null ? report.retryAfter()
                        : retry.backoff(report.lease().attempt()))).toList());
    }

    /** One waiting claim. Attempts run one at a time; the first that gets jobs, or the deadline, ends it. */
    private final class Waiter {
        final String workerId;
        final String owner;
        final List<String> types;
        final int want;
        final Instant deadline;
        final CompletableFuture<Claimed> result = new CompletableFuture<>();
        final AtomicBoolean busy = new AtomicBoolean();
        volatile boolean again;
        volatile ScheduledFuture<?> timer;

        Waiter(String workerId, String owner, List<String> types, int want, Instant deadline) {
            this.workerId = workerId;
            this.owner = owner;
            this.types = types;
            this.want = want;
            this.deadline = deadline;
        }

        /** Claims once; a wake-up during an attempt makes it claim again right after. */
        void attempt() {
            if (result.isDone()) {
                return;
            }
            again = true;
            while (again && busy.compareAndSet(false, true)) {
                again = false;
                try {
                    if (!result.isDone()) {
                        List<RemoteLedger.RemoteClaim> jobs = ledger.claim(workerId, types, want);
                        if (!jobs.isEmpty()) {
                            finish(new Claimed(jobs, "run"));
                        }
                    }
                } catch (RuntimeException e) {
                    log.debug("Claim for remote worker {} failed", workerId, e);
                    if (!result.isDone()) {
                        waiters.remove(this);
                        cancelTimer();
                        result.completeExceptionally(e);
                    }
                } finally {
                    busy.set(false);
                }
            }
        }

        /** Until the deadline: re-registers every third of a lease (and claims, should a wake-up have been missed). */
        void tick() {
            Duration left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || left.isZero()) {
                expire();
                return;
            }
            Duration next = left.compareTo(refresh) < 0 ? left : refresh;
            try {
                timer = schedule(next);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                expire(); // the node is stopping: the claim ends empty now
            }
        }

        private ScheduledFuture<?> schedule(Duration next) {
            return scheduler.schedule(() -> run(() -> {
                if (result.isDone()) {
                    return;
                }
                try {
                    if (Duration.between(Instant.now(), deadline).toMillis() > 0) {
                        String state = beat(workerId, owner);
                        if (!"run".equals(state)) {
                            finish(new Claimed(List.of(), state));
                            return;
                        }
                    }
                    attempt();
                    tick();
                } catch (RuntimeException e) {
                    waiters.remove(this);
                    result.completeExceptionally(e);
                }
            }), Instant.now().plus(next));
        }

        /** Runs a step on the wait executor; a stopping node's refusal ends the claim empty. */
        void run(Runnable step) {
            try {
                executor.execute(step);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                expire();
            }
        }

        void expire() {
            finish(new Claimed(List.of(), "run"));
        }

        private void finish(Claimed claimed) {
            waiters.remove(this);
            cancelTimer();
            if (!result.complete(claimed) && !claimed.jobs().isEmpty()) {
                // cannot happen (attempts run one at a time, and only an attempt completes with jobs);
                // were it to, the jobs' leases lapse and the reaper puts them back
                log.warn("Remote worker {}: a claim completed twice; its jobs will be recovered", workerId);
            }
        }

        private void cancelTimer() {
            ScheduledFuture<?> current = timer;
            if (current != null) {
                current.cancel(false);
            }
        }
    }
}
