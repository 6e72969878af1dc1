package dev.sluice.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.sluice.config.NodeId;
import dev.sluice.config.SluiceProperties;
import dev.sluice.queue.ClaimedJob;
import dev.sluice.queue.JobSignals;
import dev.sluice.queue.Outcome;
import dev.sluice.queue.RedisFailures;
import dev.sluice.queue.WorkerLedger;

/**
 * Pulls jobs only when a worker is free. One loop thread owns this node's tokens: it writes finished
 * jobs' outcomes back (which returns their tokens), claims as many jobs as it has idle tokens (the
 * claim script takes the tokens and the jobs together), hands them to the fixed worker pool, and
 * heart-beats. Because no other thread moves this node's tokens, its record of idle tokens is exact,
 * and the heartbeat can repair the Redis list from it.
 *
 * <p>It sleeps when there is nothing to do and wakes when a worker finishes, when a job is enqueued
 * into an empty queue (pub/sub), when the next delayed job falls due, or on a short fallback poll.
 */
@Component
public final class Dispatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);
    private static final long GATHER_NANOS = Duration.ofNanos(300_000).toNanos();

    private final WorkerLedger ledger;
    private final Worker worker;
    private final SluiceProperties.Dispatch settings;
    private final String node;
    private final int poolSize;
    private final boolean enabled;

    private final ConcurrentLinkedQueue<Outcome> finished = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wake = new AtomicBoolean();

    // Touched only by the loop thread (and by start() before the loop exists).
    private final Deque<String> idle = new ArrayDeque<>();
    private final Map<Delivery, Running> running = new HashMap<>();

    /**
     * One delivery of a job: the same node can hold two of the same job at once (its stale attempt,
     * recovered by the reaper while this node was paused, and the new one it claimed since), and the
     * end of the first must not touch the bookkeeping of the second.
     */
    private record Delivery(String id, int attempt) {
    }

    /**
     * A job this node runs.
     *
     * @param claimedAt   nanoTime of its claim
     * @param renewBefore nanoTime after which its lease is no longer renewed (timeout + lease)
     */
    private record Running(long claimedAt, long renewBefore) {
    }
    private final List<Outcome> unwritten = new ArrayList<>();

    private volatile WorkerPool pool;
    private volatile Thread loop;
    private volatile boolean stopping;
    private volatile Instant lastContact;
    private volatile Instant lastCycle;
    private volatile long repairs;
    private volatile long lostJobs;
    private volatile long dataLosses;
    private volatile String epoch;

    Dispatcher(WorkerLedger ledger, Worker worker, JobSignals signals, SluiceProperties properties, NodeId node) {
        this.ledger = ledger;
        this.worker = worker;
        this.settings = properties.dispatch();
        this.node = node.value();
        this.poolSize = properties.workers().poolSize();
        this.enabled = properties.workers().enabled();
        signals.onWake(this::wakeUp);
        signals.onCancel(this::cancel);
    }

    @Override
    public void start() {
        idle.clear();
        running.clear();
        unwritten.clear();
        IntStream.rangeClosed(1, poolSize).mapToObj(i -> "w" + i).forEach(idle::add);
        try {
            epoch = ledger.register(node, poolSize, idle).epoch();
        } catch (RuntimeException e) {
            throw new IllegalStateException("Sluice could not register node " + node + " in Redis: "
                    + e.getMessage() + ". Check spring.data.redis.* (or let the embedded Redis start: "
                    + "sluice.embedded-redis.enabled=true with a local host).", e);
        }
        lastContact = Instant.now();
        lastCycle = lastContact;
        stopping = false;
        pool = new WorkerPool(poolSize, worker);
        Thread thread = new Thread(this::loop, "sluice-dispatcher");
        thread.setDaemon(true);
        loop = thread;
        thread.start();
        log.info("Node {} dispatching with {} workers", node, poolSize);
    }

    /**
     * Stops claiming, lets running jobs finish for up to the drain timeout (writing their outcomes),
     * then interrupts the rest and leaves: their jobs go back to the head of their queues, and this
     * node's tokens and registration are removed.
     */
    @Override
    public void stop() {
        Thread thread = loop;
        if (thread == null) {
            return;
        }
        stopping = true;
        LockSupport.unpark(thread);
        try {
            thread.join(settings.drainTimeout().plusSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdownNow();
        loop = null;
        try {
            WorkerLedger.Reaped left = ledger.leave(node);
            log.info("Node {} left; {} unfinished jobs went back to the head of their queues", node,
                    left.requeued());
        } catch (RuntimeException e) {
            log.warn("Node {} could not deregister ({}); the reaper will recover its jobs", node, e.getMessage());
        }
    }

    @Override
    public boolean isRunning() {
        return loop != null;
    }

    /** An API-only node (sluice.workers.enabled=false) never registers workers or claims jobs. */
    @Override
    public boolean isAutoStartup() {
        return enabled;
    }

    /**
     * Starts before the web server takes requests and stops after it has stopped taking them; Redis
     * connections outlive it, so the last outcomes and the deregistration can still be written.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    public DispatcherStatus status() {
        Thread thread = loop;
        return new DispatcherStatus(node, enabled ? poolSize : 0, enabled, thread != null && thread.isAlive(),
                stopping, lastContact, lastCycle, repairs, lostJobs, dataLosses);
    }

    private void wakeUp() {
        wake.set(true);
        Thread thread = loop;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    private void cancel(String jobId) {
        WorkerPool current = pool;
        if (current != null && current.cancel(jobId)) {
            log.info("Interrupting job {} on request", jobId);
        }
    }

    private void finished(Outcome outcome) {
        finished.add(outcome);
        LockSupport.unpark(loop);
    }

    private void loop() {
        boolean mayHaveMore = true; // the last claim filled every idle worker, so the queues may hold more
        long nextPoll = 0;
        long nextDue = Long.MAX_VALUE;
        long nextHeartbeat = System.nanoTime() + settings.heartbeat().toNanos();
        long drainUntil = Long.MAX_VALUE;
        long backoff = 0;
        while (true) {
            long now = System.nanoTime();
            if (stopping) {
                drainUntil = Math.min(drainUntil, now + settings.drainTimeout().toNanos());
                if ((running.isEmpty() && finished.isEmpty() && unwritten.isEmpty()) || now > drainUntil) {
                    break;
                }
            }
            if (now >= nextHeartbeat) {
                // apart from the claim: a node whose claims fail keeps its registration and its leases
                heartbeat();
                nextHeartbeat = now + settings.heartbeat().toNanos();
            }
            try {
                gatherOutcomes();
                int want = stopping || !(wake.get() || mayHaveMore || now >= nextPoll || now >= nextDue) ? 0
                        : idle.size() + unwritten.size(); // outcomes written in this cycle give their tokens back
                if (want > 0) {
                    wake.set(false); // before the claim: a wake-up arriving after its snapshot is kept
                    WorkerLedger.Claim claim = ledger.completeAndClaim(node, unwritten, want);
                    tokensBack();
                    claim.jobs().forEach(this::startJob);
                    if (claim.lost() > 0) {
                        lostJobs += claim.lost();
                        log.warn("Node {}: {} queued job ids had no job record and were dropped: Redis evicted or "
                                + "lost them (check maxmemory-policy: Sluice needs noeviction)", node, claim.lost());
                    }
                    mayHaveMore = claim.jobs().size() == want;
                    nextPoll = now + settings.idlePoll().toNanos();
                    nextDue = claim.nextDueIn() == null ? Long.MAX_VALUE : now + claim.nextDueIn().toNanos();
                    lastContact = Instant.now();
                } else if (!unwritten.isEmpty()) {
                    ledger.complete(node, unwritten);
                    tokensBack();
                    lastContact = Instant.now();
                }
                lastCycle = Instant.now();
                backoff = 0;
            } catch (RuntimeException e) {
                backoff = Math.min(Math.max(backoff * 2, Duration.ofMillis(50).toNanos()), MAX_BACKOFF.toNanos());
                report("claim", e, backoff);
                LockSupport.parkNanos(this, backoff);
                continue;
            }
            boolean work = !finished.isEmpty()
                    || !stopping && !idle.isEmpty() && (wake.get() || mayHaveMore);
            if (!work) {
                long until = idle.isEmpty() || stopping ? nextHeartbeat
                        : Math.min(Math.min(nextPoll, nextDue), nextHeartbeat);
                LockSupport.parkNanos(this, Math.max(until - System.nanoTime(), 100_000));
            }
        }
        pool.shutdown();
    }

    /**
     * Collects finished outcomes to write. When some jobs have finished while others claimed moments
     * ago (within {@link #GATHER_NANOS}) are still running, it yields briefly so that one cycle carries
     * them all: short jobs then travel in full batches (fewer round trips and script calls per job)
     * instead of splitting into groups that alternate forever. A job running longer than the window is
     * never waited for, so long jobs cost at most one window of delay per refill.
     */
    private void gatherOutcomes() {
        if (!finished.isEmpty() && finished.size() < running.size()) {
            long start = System.nanoTime();
            while (System.nanoTime() - start < GATHER_NANOS && youngJobStillRunning(start)) {
                Thread.yield();
            }
        }
        for (Outcome outcome; (outcome = finished.poll()) != null; ) {
            unwritten.add(outcome);
        }
    }

    private boolean youngJobStillRunning(long now) {
        Set<Delivery> done = new HashSet<>();
        finished.forEach(outcome -> done.add(new Delivery(outcome.id(), outcome.attempt())));
        for (Map.Entry<Delivery, Running> job : running.entrySet()) {
            if (now - job.getValue().claimedAt() < GATHER_NANOS && !done.contains(job.getKey())) {
                return true;
            }
        }
        return false;
    }

    /** After their outcomes are written: the jobs are done, their tokens idle again. */
    private void tokensBack() {
        for (Outcome outcome : unwritten) {
            running.remove(new Delivery(outcome.id(), outcome.attempt()));
            idle.add(outcome.token());
        }
        unwritten.clear();
    }

    private void startJob(ClaimedJob job) {
        idle.remove(job.token());
        // A handler that ignores its timeout's interrupt must not keep the job "running" forever: after
        // timeout + lease its lease lapses, and the reaper recovers the job (the attempt counts).
        long now = System.nanoTime();
        running.put(new Delivery(job.id(), job.attempt()),
                new Running(now, now + job.timeout().plus(settings.lease()).toNanos()));
        pool.run(job, this::finished);
    }

    /**
     * An outage (Redis unreachable, a command timed out) is expected and retried quietly; anything else
     * is a bug and is logged as one, with its stack trace, at the start of each run of failures.
     */
    private void report(String what, RuntimeException e, long backoff) {
        if (RedisFailures.isOutage(e)) {
            log.warn("Node {} lost Redis during {} ({}); retrying in {} ms", node, what, e.getMessage(),
                    backoff / 1_000_000);
        } else if (backoff <= Duration.ofMillis(50).toNanos()) {
            log.error("Node {}: unexpected failure during {}; retrying in {} ms", node, what, backoff / 1_000_000, e);
        } else {
            log.error("Node {}: unexpected failure during {} again ({}); retrying in {} ms", node, what,
                    e.getMessage(), backoff / 1_000_000);
        }
    }

    private void heartbeat() {
        try {
            beat();
            lastContact = Instant.now();
        } catch (RuntimeException e) {
            report("heartbeat", e, 0);
        }
    }

    private void beat() {
        long now = System.nanoTime();
        Set<String> renew = new HashSet<>();
        running.forEach((delivery, job) -> {
            if (job.renewBefore() - now > 0) {
                renew.add(delivery.id());
            }
        });
        Set<String> held = new HashSet<>();
        running.keySet().forEach(delivery -> {
            if (!renew.contains(delivery.id())) {
                held.add(delivery.id());
            }
        });
        WorkerLedger.Heartbeat beat = ledger.heartbeat(node, poolSize, idle, renew, held, epoch);
        if (beat.repaired()) {
            repairs++;
            log.warn("Node {}: free-worker list in Redis had drifted from the {} idle workers; rewrote it",
                    node, idle.size());
        }
        if (beat.handedBack() > 0) {
            log.warn("Node {}: handed back {} jobs it held a lease for but never started (a claim's reply was "
                    + "lost); they are queued again with their attempt given back", node, beat.handedBack());
        }
        if (beat.dataLost()) {
            dataLosses++;
            log.error("Node {}: Redis no longer holds this namespace's data (epoch marker {} is gone or changed to "
                    + "{}): it was restarted without persistence, flushed or evicted. Jobs accepted before are "
                    + "lost; check the Redis server's persistence and maxmemory-policy.", node, epoch, beat.epoch());
        }
        epoch = beat.epoch();
        beat.cancel().forEach(this::cancel);
    }
}
