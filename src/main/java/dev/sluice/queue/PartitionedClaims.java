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
 * <li>claims ({@code claim.lua} with the taken tokens given): first high jobs only, from every
 * partition that has them, then all priorities, partition after partition from a rotating start, while
 * tokens remain, where jobs wait or delayed ones are due;</li>
 * <li>the tokens no claim spent, given back in partition 0.</li>
 * </ol>
 * A job is claimed only for a token taken from the node's list, each token is given to one claim, and
 * a claim spends each given token at most once: the node never runs more jobs than it has workers. A
 * cycle that fails midway leaves tokens taken but not given back, which the heartbeat repairs from the
 * node's own book, and leases of claims whose reply was lost, which the heartbeat hands back.
 *
 * <p>What the node knows of each partition (high jobs waiting, whether any job waits, the next due
 * time) comes from its probes and from each claim's reply, and is probed again when the partition's
 * wake channel says work arrived (a list went from empty to non-empty, a retry or schedule became the
 * earliest, a priority was resumed) and, whatever the messages, every {@code sluice.dispatch.idle-poll}.
 * So a busy cycle costs the completions, the tokens and usually one claim, not a probe of every
 * partition.
 *
 * <p>What holds for priorities across partitions: a high job that waits when a cycle starts is claimed
 * before any normal or low job in that cycle, whichever partition holds it (its arrival woke the
 * partition, so the cycle probed it); one that arrives while the cycle runs waits at most until the
 * next cycle. A lost wake message delays that by at most the idle poll, as it delays a wake-up with one
 * partition. With weighted priorities ({@code sluice.dispatch.priorities=weighted}) there is no
 * high-only pass: each partition's claim weighs its own priorities.
 */
final class PartitionedClaims {

    private final StringRedisTemplate redis;
    private final Partitions partitions;
    private final WorkerLedger ledger;
    private final long refreshNanos;
    /** Partitions to probe in the next cycle, one bit each (at most 64 partitions). */
    private final AtomicLong dirty;
    private final long[] high;
    private final boolean[] waiting;
    private final long[] nextDue;
    private long refreshedAt;
    private int rotation;
    /** Redis time minus this machine's, ms, as the last reply showed: due times are Redis time. */
    private long clockOffset;

    PartitionedClaims(StringRedisTemplate redis, Partitions partitions, WorkerLedger ledger, Duration refresh) {
        this.redis = redis;
        this.partitions = partitions;
        this.ledger = ledger;
        this.refreshNanos = refresh.toNanos();
        int count = partitions.count();
        this.dirty = new AtomicLong(all(count));
        this.high = new long[count];
        this.waiting = new boolean[count];
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

    /** What {@code depth.lua} said of one partition. */
    private record Depth(long now, long nextDue, long high, long total) {

        static Depth of(List<?> reply) {
            return new Depth((Long) reply.get(0), (Long) reply.get(1), (Long) reply.get(2), (Long) reply.get(3));
        }
    }

    /** Writes outcomes (in their jobs' partitions) and gives their tokens back in partition 0. */
    int complete(String node, Collection<Outcome> outcomes) {
        int counted = 0;
        for (Map.Entry<Integer, List<Outcome>> part : byPartition(outcomes).entrySet()) {
            RedisKeys keys = partitions.get(part.getKey());
            counted += redis.execute(LuaScripts.COMPLETE, ledger.completeKeys(keys, node),
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
        try {
            SharedConnection.send(redis, async -> {
                List<RedisFuture<?>> sent = new ArrayList<>();
                byPartition.forEach((p, some) -> {
                    RedisKeys keys = partitions.get(p);
                    sent.add(async.evalsha(LuaScripts.COMPLETE.getSha1(), ScriptOutputType.INTEGER,
                            SharedConnection.bytes(ledger.completeKeys(keys, node)),
                            SharedConnection.bytes(ledger.completeArgs(keys, node, some))));
                });
                List<RedisFuture<List<Object>>> probes = new ArrayList<>(probed.size());
                for (int p : probed) {
                    probes.add(async.evalsha(LuaScripts.DEPTH.getSha1(), ScriptOutputType.MULTI,
                            SharedConnection.bytes(depthKeys(partitions.get(p)))));
                }
                RedisFuture<List<Object>> taken = async.evalsha(LuaScripts.TOKENS.getSha1(), ScriptOutputType.MULTI,
                        new byte[][] { SharedConnection.bytes(partitions.home().freeWorkers(node)) },
                        SharedConnection.bytes(tokenArgs(want, returned)));
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
            byPartition.forEach((p, some) -> redis.execute(LuaScripts.COMPLETE,
                    ledger.completeKeys(partitions.get(p), node),
                    ledger.completeArgs(partitions.get(p), node, some).toArray()));
            for (int p : probed) {
                depths.add(Depth.of(redis.execute(LuaScripts.DEPTH, depthKeys(partitions.get(p)))));
            }
            List<?> taken = redis.execute(LuaScripts.TOKENS, List.of(partitions.home().freeWorkers(node)),
                    tokenArgs(want, returned).toArray());
            taken.forEach(t -> tokens.add((String) t));
        }
        for (int i = 0; i < probed.size(); i++) {
            int p = probed.get(i);
            Depth depth = depths.get(i);
            high[p] = depth.high();
            waiting[p] = depth.total() > 0;
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
        try {
            if (!ledger.weighted()) {
                for (int i = 0; i < count && !tokens.isEmpty(); i++) {
                    int p = (start + i) % count;
                    if (high[p] > 0) {
                        RedisKeys keys = partitions.get(p);
                        lost += claimAt(keys, node, List.of(keys.queue(Priority.HIGH)), tokens, claimed, now);
                    }
                }
            }
            for (int i = 0; i < count && !tokens.isEmpty(); i++) {
                int p = (start + i) % count;
                if (waiting[p] || nextDue[p] >= 0 && nextDue[p] <= now[0]) {
                    RedisKeys keys = partitions.get(p);
                    lost += claimAt(keys, node, keys.queues(), tokens, claimed, now);
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
     * One partition's claim, spending tokens from the front of {@code tokens}; learns what the
     * partition has left. Returns the lost ids it met.
     */
    private int claimAt(RedisKeys keys, String node, List<String> lists, Deque<String> tokens,
            List<ClaimedJob> claimed, long[] now) {
        int given = tokens.size();
        List<String> args = new ArrayList<>(ledger.claimArgs(keys, node, given));
        args.addAll(tokens);
        List<?> reply = redis.execute(LuaScripts.CLAIM, WorkerLedger.claimKeys(keys, node, lists), args.toArray());
        WorkerLedger.Claim claim = WorkerLedger.toClaim(reply, 4);
        claim.jobs().forEach(job -> tokens.remove(job.token()));
        claimed.addAll(claim.jobs());
        int p = keys.partition();
        now[0] = (Long) reply.get(0);
        clockOffset = now[0] - System.currentTimeMillis();
        nextDue[p] = (Long) reply.get(1); // after this claim's promotions
        high[p] = (Long) reply.get(3);
        if (claim.jobs().size() < given && lists.size() > 1) {
            waiting[p] = false; // every list it may take from ran dry (parked and paused jobs do not count)
        }
        return claim.lost();
    }

    private void giveBack(String node, List<String> tokens) {
        redis.execute(LuaScripts.TOKENS, List.of(partitions.home().freeWorkers(node)), tokenArgs(0, tokens).toArray());
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
