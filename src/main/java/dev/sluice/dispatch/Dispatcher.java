package dev.sluice.dispatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.sluice.config.NodeId;
import dev.sluice.config.SluiceProperties;
import dev.sluice.queue.JobSignals;
import dev.sluice.queue.NodeRecovery;
import dev.sluice.queue.Outcome;
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
    private static final long MIN_BACKOFF = Duration.ofMillis(50).toNanos();

    private final WorkerLedger ledger;
    private final NodeRecovery recovery;
    private final Worker worker;
    private final SluiceProperties.Dispatch settings;
    private final String node;
    private final int poolSize;
    private final boolean enabled;
    private final NodeBook book;
    private final NodeHeartbeat heartbeat;
    private final AtomicBoolean wake = new AtomicBoolean();
    private final Clock clock;

    private volatile WorkerPool pool;
    private volatile Thread loop;
    private volatile boolean stopping;
    private volatile Instant lastContact;
    private volatile Instant lastCycle;
    private volatile long lostJobs;

    Dispatcher(WorkerLedger ledger, NodeRecovery recovery, Worker worker, JobSignals signals,
            SluiceProperties properties, NodeId node, Clock clock) {
        this.ledger = ledger;
        this.recovery = recovery;
        this.clock = clock;
        this.worker = worker;
        this.settings = properties.dispatch();
        this.node = node.value();
        this.poolSize = properties.workers().poolSize();
        this.enabled = properties.workers().enabled();
        this.book = new NodeBook(poolSize, settings.lease());
        this.heartbeat = new NodeHeartbeat(ledger, this.node, poolSize, book, this::cancel);
        signals.onWake(this::wakeUp);
        signals.onCancel(this::cancel);
    }

    @Override
    public void start() {
        book.reset();
        try {
            heartbeat.register();
        } catch (RuntimeException e) {
            throw new IllegalStateException("Sluice could not register node " + node + " in Redis: "
                    + e.getMessage() + ". Check spring.data.redis.* (or let the embedded Redis start: "
                    + "sluice.embedded-redis.enabled=true with a local host).", e);
        }
        lastContact = Instant.now(clock);
        lastCycle = lastContact;
        stopping = false;
        pool = new WorkerPool(poolSize, worker::run);
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
            NodeRecovery.Reaped left = recovery.leave(node);
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
                stopping, lastContact, lastCycle, heartbeat.repairs(), lostJobs, heartbeat.dataLosses());
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
        book.finished(outcome);
        LockSupport.unpark(loop);
    }

    /** The loop's deadlines, in nanoTime, and what it knows of the queues. */
    private final class Timers {
        boolean mayHaveMore = true; // the last claim filled every idle worker, so the queues may hold more
        long nextPoll;
        long nextDue = Long.MAX_VALUE;
        long nextHeartbeat = System.nanoTime() + settings.heartbeat().toNanos();
        long drainUntil = Long.MAX_VALUE;
        long backoff;

        boolean claimDue(long now) {
            return !stopping && (wake.get() || mayHaveMore || now >= nextPoll || now >= nextDue);
        }

        /** How long to sleep when there is nothing to do: until the next poll, due job or heartbeat. */
        long idleUntil() {
            return !book.hasIdle() || stopping ? nextHeartbeat
                    : Math.min(Math.min(nextPoll, nextDue), nextHeartbeat);
        }
    }

    private void loop() {
        Timers timers = new Timers();
        while (true) {
            long now = System.nanoTime();
            if (stopping) {
                timers.drainUntil = Math.min(timers.drainUntil, now + settings.drainTimeout().toNanos());
                if (book.drained() || now > timers.drainUntil) {
                    break;
                }
            }
            if (now >= timers.nextHeartbeat) {
                // apart from the claim: a node whose claims fail keeps its registration and its leases
                beat(now);
                timers.nextHeartbeat = now + settings.heartbeat().toNanos();
            }
            try {
                cycle(timers, now);
                lastCycle = Instant.now(clock);
                timers.backoff = 0;
            } catch (RuntimeException e) {
                timers.backoff = Math.min(Math.max(timers.backoff * 2, MIN_BACKOFF), MAX_BACKOFF.toNanos());
                Failures.report(log, node, "claim", e, timers.backoff <= MIN_BACKOFF);
                LockSupport.parkNanos(this, timers.backoff);
                continue;
            }
            boolean work = book.hasFinished() || !stopping && book.hasIdle() && (wake.get() || timers.mayHaveMore);
            if (!work) {
                LockSupport.parkNanos(this, Math.max(timers.idleUntil() - System.nanoTime(), 100_000));
            }
        }
        pool.shutdown();
    }

    /** Writes finished outcomes (their tokens come back) and claims as many jobs as there are free workers. */
    private void cycle(Timers timers, long now) {
        book.gather();
        int want = timers.claimDue(now) ? book.claimable() : 0;
        if (want > 0) {
            wake.set(false); // before the claim: a wake-up arriving after its snapshot is kept
            WorkerLedger.Claim claim = ledger.completeAndClaim(node, book.unwritten(), want);
            book.written();
            long started = System.nanoTime(); // after the round trip: the gather window counts from here
            claim.jobs().forEach(job -> {
                book.started(job, started);
                pool.run(job, this::finished);
            });
            if (claim.lost() > 0) {
                lostJobs += claim.lost();
                log.warn("Node {}: {} queued job ids had no job record and were dropped: Redis evicted or "
                        + "lost them (check maxmemory-policy: Sluice needs noeviction)", node, claim.lost());
            }
            timers.mayHaveMore = claim.jobs().size() == want;
            timers.nextPoll = now + settings.idlePoll().toNanos();
            timers.nextDue = claim.nextDueIn() == null ? Long.MAX_VALUE : now + claim.nextDueIn().toNanos();
            lastContact = Instant.now(clock);
        } else if (!book.unwritten().isEmpty()) {
            ledger.complete(node, book.unwritten());
            book.written();
            lastContact = Instant.now(clock);
        }
    }

    private void beat(long now) {
        try {
            heartbeat.beat(now);
            lastContact = Instant.now(clock);
        } catch (RuntimeException e) {
            Failures.report(log, node, "heartbeat", e, true);
        }
    }
}
