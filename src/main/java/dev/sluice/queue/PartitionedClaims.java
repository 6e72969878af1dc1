package dev.sluice.queue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A node's claim cycle when the namespace is partitioned ({@code sluice.partitions} > 1). A script
 * touches one slot, so the cycle is several scripts:
 * <ol>
 * <li>one pipelined round trip (Lettuce sends to every master at once): each partition's completions
 * ({@code complete.lua}, tokens left out), the depth of the partitions this node does not know
 * ({@code depth.lua}: high jobs, all jobs, next due time), and, in partition 0, the finished jobs'
 * tokens given back and {@code want} tokens taken ({@code tokens.lua});</li>
 * <li>claims ({@code claim.lua} with the taken tokens given), one priority at a time: high jobs from
 * every partition that has them (partition after partition from a rotating start), then normal, then
 * low, while tokens remain; then partitions whose delayed jobs are due (the claim promotes them);</li>
 * <li>the tokens no claim spent, given back in partition 0.</li>
 * </ol>
 * A job is claimed only for a token taken from the node's list, each token is given to one claim, and
 * a claim spends each given token at most once: the node never runs more jobs than it has workers. A
 * cycle that fails midway leaves tokens taken but not given back, which the heartbeat repairs from the
 * node's own book, and leases of claims whose reply was lost, which the heartbeat hands back.
 *
 * <p>What the node knows of each partition (whether jobs wait at each priority, the next due time)
 * comes from its probes and from each claim (one that took fewer jobs than it was given tokens found
 * its list empty), and is probed again when the partition's
 * wake channel says work arrived (a list went from empty to non-empty, a retry or schedule became the
 * earliest, a priority was resumed) and, whatever the messages, every {@code sluice.dispatch.idle-poll}.
 * So a busy cycle costs the completions, the tokens and usually one claim, not a probe of every
 * partition.
 *
 * <p>What holds for priorities across partitions: a job that waits when a cycle starts is claimed before
 * any job of a lower priority in that cycle, whichever partitions hold them (its arrival woke its
 * partition, so the cycle probed it); one that arrives while the cycle runs waits at most until the
 * next cycle. A lost wake message delays that by at most the idle poll, as it delays a wake-up with one
 * partition. With weighted priorities ({@code sluice.dispatch.priorities=weighted}) there are no
 * passes by priority: each partition's claim weighs its own priorities.
 */
final class PartitionedClaims {

    private final StringRedisTemplate redis;
    private final Partitions partitions;
    private final LuaScripts scripts;
    private final WorkerLedger ledger;
    private final long refreshNanos;
    /** Partitions to probe in the next cycle, one bit each (at most 64 partitions). */
    private final AtomicLong dirty;
    /** Per partition and priority: whether jobs may wait there (as the last probe or claim left it). */
    private final boolean[][] waiting;
    private final long[] nextDue;
    private long refreshedAt;
    private int rotation;
    /** Redis time minus this machine's, ms, as the last reply showed: due times are Redis time. */
    private long clockOffset;

    PartitionedClaims(StringRedisTemplate redis, Partitions partitions, WorkerLedger ledger, Duration refresh) {
        this.redis = redis;
        this.partitions = partitions;
        this.scripts = partitions.scripts();
        this.ledger = ledger;
        this.refreshNanos = refresh.toNanos();
        int count = partitions.count();
        this.dirty = new AtomicLong(all(count));
        this.waiting = new boolean[count][Priority.values().length];
        this.nextDue = new long[count];
        this.refreshedAt = System.nanoTime();
    }

    private static long all(int count) {
        return count == 64 ? -1L : (1L << count) - 1;
    }

    /** Work arrived in a partition (its wake channel): probe it in the next cycle. */
    void wake(int partition) {
        dirty.getAndUpdate(bits -> bits | 1L << partition);
    }

    /** What {@code depth.lua} said of one partition: jobs waiting per priority (high, normal, low). */
    private record Depth(long now, long nextDue, long[] counts) {

        static Depth of(List<?> reply) {
            return new Depth((Long) reply.get(0), (Long) reply.get(1),
                    new long[] { (Long) reply.get(2), (Long) reply.get(3), (Long) reply.get(4) });
        }

        long total() {
            return counts[0] + counts[1] + counts[2];
        }
    }

    /** Writes outcomes (in their jobs' partitions) and gives their tokens back in partition 0. */
    int complete(String node, Collection<Outcome> outcomes) {
        int counted = 0;
        for (Map.Entry<Integer, List<Outcome>> part : byPartition(outcomes).entrySet()) {
            RedisKeys keys = partitions.get(part.getKey());
            counted += redis.execute(scripts.complete, ledger.completeKeys(keys, node),
                    ledger.completeArgs(keys, node, part.getValue()).toArray()).intValue();
        }
        giveBack(node, outcomes.stream().map(Outcome::token).toList());
        return counted;
    }

    WorkerLedger.Claim cycle(String node, Collection<Outcome> outcomes, int want) {
        List<String> returned = outcomes.stream().map(Outcome::token).toList();
        Map<Integer, List<Outcome>> byPartition = byPartition(outcomes);
        long now = System.nanoTime();
        if (now - refreshedAt >= refreshNanos) {
            refreshedAt = now;
            dirty.getAndUpdate(bits -> bits | all(partitions.count()));
        }
        long probe = dirty.getAndSet(0);
        List<Integer> probed = new ArrayList<>();
        for (int p = 0; p < partitions.count(); p++) {
            if ((probe & 1L << p) != 0) {
                probed.add(p);
            }
        }
        List<Depth> depths = new ArrayList<>(probed.size());
        Deque<String> tokens = new ArrayDeque<>();
        java.util.concurrent.atomic.AtomicReference<RedisFuture<List<Object>>> tokensCall =
                new java.util.concurrent.atomic.AtomicReference<>();
        try {
            SharedConnection.send(redis, async -> {
                List<RedisFuture<?>> sent = new ArrayList<>();
                byPartition.forEach((p, some) -> {
                    RedisKeys keys = partitions.get(p);
                    sent.add(async.evalsha(scripts.complete.getSha1(), ScriptOutputType.INTEGER,
                            SharedConnection.bytes(ledger.completeKeys(keys, node)),
                            SharedConnection.bytes(ledger.completeArgs(keys, node, some))));
                });
                List<RedisFuture<List<Object>>> probes = new ArrayList<>(probed.size());
                for (int p : probed) {
                    probes.add(async.evalsha(scripts.depth.getSha1(), ScriptOutputType.MULTI,
                            SharedConnection.bytes(depthKeys(partitions.get(p)))));
                }
                RedisFuture<List<Object>> taken = async.evalsha(scripts.tokens.getSha1(), ScriptOutputType.MULTI,
                        new byte[][] { SharedConnection.bytes(partitions.home().freeWorkers(node)) },
                        SharedConnection.bytes(tokenArgs(want, returned)));
                tokensCall.set(taken);
                sent.forEach(SharedConnection::await);
                probes.forEach(reply -> depths.add(Depth.of(SharedConnection.await(reply))));
                SharedConnection.strings(SharedConnection.await(taken)).forEach(t -> tokens.add((String) t));
                return null;
            });
        } catch (RuntimeException e) {
            dirty.getAndUpdate(bits -> bits | probe); // not probed after all
            if (!WorkerLedger.scriptCacheLost(e)) {
                throw e;
            }
            // Redis restarted and lost its scripts: the same steps one by one, which load them (the
            // completions are fenced and the give-back skips tokens already there, so replaying is safe)
            dirty.getAndUpdate(bits -> bits & ~probe);
            depths.clear();
            tokens.clear();
            byPartition.forEach((p, some) -> redis.execute(scripts.complete,
                    ledger.completeKeys(partitions.get(p), node),
                    ledger.completeArgs(partitions.get(p), node, some).toArray()));
            for (int p : probed) {
                depths.add(Depth.of(redis.execute(scripts.depth, depthKeys(partitions.get(p)))));
            }
            // tokens.lua may have run although another call failed: the tokens it took left the list
            List<Object> ran = WorkerLedger.ranAnyway(tokensCall.get());
            List<?> taken = ran != null ? SharedConnection.strings(ran)
                    : redis.execute(scripts.tokens, List.of(partitions.home().freeWorkers(node)),
                            tokenArgs(want, returned).toArray());
            taken.forEach(t -> tokens.add((String) t));
        }
        for (int i = 0; i < probed.size(); i++) {
            int p = probed.get(i);
            Depth depth = depths.get(i);
            for (Priority priority : Priority.values()) {
                waiting[p][priority.ordinal()] = depth.counts()[priority.ordinal()] > 0;
            }
            nextDue[p] = depth.nextDue();
            clockOffset = depth.now() - System.currentTimeMillis();
            partitions.observedDepth(p, depth.total());
        }
        return claim(node, tokens);
    }

    private WorkerLedger.Claim claim(String node, Deque<String> tokens) {
        int count = partitions.count();
        int start = Math.floorMod(rotation++, count);
        List<ClaimedJob> claimed = new ArrayList<>();
        long[] now = { System.currentTimeMillis() + clockOffset };
        int lost = 0;
        boolean[] visited = new boolean[count];
        try {
            if (!ledger.weighted()) {
                for (Priority priority : Priority.values()) {
                    for (int i = 0; i < count && !tokens.isEmpty(); i++) {
                        int p = (start + i) % count;
                        if (waiting[p][priority.ordinal()]) {
                            RedisKeys keys = partitions.get(p);
                            visited[p] = true;
                            lost += claimAt(keys, node, List.of(priority), tokens, claimed, now);
                        }
                    }
                }
            }
            for (int i = 0; i < count && !tokens.isEmpty(); i++) {
                int p = (start + i) % count;
                boolean any = waiting[p][0] || waiting[p][1] || waiting[p][2];
                boolean due = nextDue[p] >= 0 && nextDue[p] <= now[0];
                if (ledger.weighted() ? any || due : due && !visited[p]) {
                    lost += claimAt(partitions.get(p), node, List.of(Priority.values()), tokens, claimed, now);
                }
            }
        } finally {
            if (!tokens.isEmpty()) {
                giveBack(node, List.copyOf(tokens));
            }
        }
        long earliest = -1;
        for (long due : nextDue) {
            if (due >= 0 && (earliest < 0 || due < earliest)) {
                earliest = due;
            }
        }
        Duration dueIn = earliest < 0 ? null : Duration.ofMillis(Math.max(0, earliest - now[0]));
        return new WorkerLedger.Claim(claimed, dueIn, lost);
    }

    /**
     * One partition's claim from the lists of {@code priorities}, spending tokens from the front of
     * {@code tokens}; learns what the partition has left. Returns the lost ids it met.
     */
    private int claimAt(RedisKeys keys, String node, List<Priority> priorities, Deque<String> tokens,
            List<ClaimedJob> claimed, long[] now) {
        int given = tokens.size();
        WorkerLedger.Given reply = WorkerLedger.claimWithTokens(redis, scripts, keys, node,
                priorities.stream().map(keys::queue).toList(), ledger.claimArgs(keys, node, given), tokens);
        WorkerLedger.Claim claim = reply.claim();
        claimed.addAll(claim.jobs());
        int p = keys.partition();
        now[0] = reply.now();
        clockOffset = now[0] - System.currentTimeMillis();
        boolean promoted = nextDue[p] >= 0 && nextDue[p] <= now[0];
        nextDue[p] = reply.nextDue(); // after this claim's promotions
        if (promoted) {
            wake(p); // jobs it promoted may wait at any priority: look again next cycle
        }
        if (claim.jobs().size() < given) {
            // every list it took from ran dry (or is paused; resuming wakes every partition)
            priorities.forEach(priority -> waiting[p][priority.ordinal()] = false);
        }
        return claim.lost();
    }

    private void giveBack(String node, List<String> tokens) {
        redis.execute(scripts.tokens, List.of(partitions.home().freeWorkers(node)), tokenArgs(0, tokens).toArray());
    }

    private static List<String> tokenArgs(int want, List<String> giveBack) {
        List<String> args = new ArrayList<>(1 + giveBack.size());
        args.add(Integer.toString(want));
        args.addAll(giveBack);
        return args;
    }

    private static List<String> depthKeys(RedisKeys keys) {
        List<String> keyList = new ArrayList<>(keys.queues());
        keyList.add(keys.retrying());
        keyList.add(keys.scheduled());
        keyList.add(keys.paused());
        return keyList;
    }

    private Map<Integer, List<Outcome>> byPartition(Collection<Outcome> outcomes) {
        Map<Integer, List<Outcome>> by = new TreeMap<>();
        outcomes.forEach(o -> by.computeIfAbsent(partitions.partitionOf(o.id()), p -> new ArrayList<>()).add(o));
        return by;
    }
}
