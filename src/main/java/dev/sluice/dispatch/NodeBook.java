package dev.sluice.dispatch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;

import dev.sluice.queue.ClaimedJob;
import dev.sluice.queue.Outcome;

/**
 * A node's own book of its workers: which tokens are idle, which deliveries run, and which outcomes
 * wait to be written. Owned by the dispatcher's loop thread (as BullMQ's lock manager is owned by its
 * worker); only {@link #finished} is called from worker threads. Because nothing else moves this
 * node's tokens, the book is exact whenever the loop thread reads it, and the heartbeat can repair
 * Redis from it.
 */
final class NodeBook {

    /** How long a cycle may wait for young jobs to finish, so that short jobs travel in full batches. */
    static final long GATHER_NANOS = Duration.ofNanos(300_000).toNanos();

    /**
     * One delivery of a job: the same node can hold two of the same job at once (its stale attempt,
     * recovered by the reaper while this node was paused, and the new one it claimed since), and the
     * end of the first must not touch the bookkeeping of the second.
     */
    record Delivery(String id, int attempt) {
    }

    /**
     * @param claimedAt   nanoTime of its claim
     * @param renewBefore nanoTime after which its lease is no longer renewed (timeout + lease)
     */
    private record Running(long claimedAt, long renewBefore) {
    }

    /** What a heartbeat says of the running deliveries: leases to renew, and jobs let lapse on purpose. */
    record Leases(Set<String> renew, Set<String> held) {
    }

    private final int poolSize;
    private final Duration lease;
    private final ConcurrentLinkedQueue<Outcome> finished = new ConcurrentLinkedQueue<>();
    private final Deque<String> idle = new ArrayDeque<>();
    private final Map<Delivery, Running> running = new HashMap<>();
    private final List<Outcome> unwritten = new ArrayList<>();

    NodeBook(int poolSize, Duration lease) {
        this.poolSize = poolSize;
        this.lease = lease;
        reset();
    }

    /** Every token idle, nothing running, nothing to write: a node starting. */
    void reset() {
        finished.clear();
        running.clear();
        unwritten.clear();
        idle.clear();
        IntStream.rangeClosed(1, poolSize).mapToObj(i -> "w" + i).forEach(idle::add);
    }

    /** Called on a worker thread when a delivery has ended. */
    void finished(Outcome outcome) {
        finished.add(outcome);
    }

    Collection<String> idle() {
        return idle;
    }

    boolean hasIdle() {
        return !idle.isEmpty();
    }

    boolean hasFinished() {
        return !finished.isEmpty();
    }

    /** Whether nothing runs and nothing is left to write: a draining node may leave. */
    boolean drained() {
        return running.isEmpty() && finished.isEmpty() && unwritten.isEmpty();
    }

    /** The outcomes the next write carries. */
    List<Outcome> unwritten() {
        return unwritten;
    }

    /** How many jobs the next claim may take: the idle tokens and those the next write gives back. */
    int claimable() {
        return idle.size() + unwritten.size();
    }

    /**
     * Collects finished outcomes to write. When some jobs have finished while others claimed moments
     * ago (within {@link #GATHER_NANOS}) are still running, it yields briefly so that one cycle carries
     * them all: short jobs then travel in full batches (fewer round trips and script calls per job)
     * instead of splitting into groups that alternate for ever. A job running longer than the window
     * is never waited for, so long jobs cost at most one window of delay per refill.
     */
    void gather() {
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

    /** After the unwritten outcomes were written: their deliveries are over, their tokens idle again. */
    void written() {
        for (Outcome outcome : unwritten) {
            running.remove(new Delivery(outcome.id(), outcome.attempt()));
            idle.add(outcome.token());
        }
        unwritten.clear();
    }

    /**
     * A claimed job starts: its token is busy. A handler that ignores its timeout's interrupt must not
     * keep the job "running" for ever: after timeout + lease its lease is no longer renewed, and the
     * reaper recovers the job (the attempt counts).
     */
    void started(ClaimedJob job, long now) {
        idle.remove(job.token());
        running.put(new Delivery(job.id(), job.attempt()),
                new Running(now, now + job.timeout().plus(lease).toNanos()));
    }

    /** Which leases the heartbeat renews, and which jobs it leaves to lapse (past timeout + lease). */
    Leases leases(long now) {
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
        return new Leases(renew, held);
    }
}
