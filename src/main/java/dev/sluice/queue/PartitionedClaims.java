package dev.sluice.queue;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A node's claim cycle when the namespace is partitioned ({@code sluice.partitions} > 1). A script
 * touches one slot, so the cycle is several scripts:
 * <ol>
 * <li>one pipelined round trip (Lettuce sends to every master at once): each partition's completions
 * ({@code complete.lua}, tokens left out), every partition's depth ({@code depth.lua}: high jobs, all
 * jobs, next due time), and, in partition 0, the finished jobs' tokens given back and {@code want}
 * tokens taken ({@code tokens.lua});</li>
 * <li>claims ({@code claim.lua} with the taken tokens given): first high jobs only, from every
 * partition that has them, then all priorities, partition after partition from a rotating start, while
 * tokens remain and a partition has jobs (or due delayed ones);</li>
 * <li>the tokens no claim spent, given back in partition 0.</li>
 * </ol>
 * A job is claimed only for a token taken from the node's list, each token is given to one claim, and
 * a claim spends each given token at most once: the node never runs more jobs than it has workers. A
 * cycle that fails midway leaves tokens taken but not given back, which the heartbeat repairs from the
 * node's own book, and leases of claims whose reply was lost, which the heartbeat hands back.
 *
 * <p>What holds for priorities across partitions: a high job that waits when a cycle starts is claimed
 * before any normal or low job in that cycle, whichever partition holds it; one that arrives while the
 * cycle runs waits at most until the next cycle (one claim cycle). With weighted priorities
 * ({@code sluice.dispatch.priorities=weighted}) there is no high-only pass: each partition's claim
 * weighs its own priorities.
 */
final class PartitionedClaims {

    private final StringRedisTemplate redis;
    private final Partitions partitions;
    private final WorkerLedger ledger;
    private int rotation;

    PartitionedClaims(StringRedisTemplate redis, Partitions partitions, WorkerLedger ledger) {
        this.redis = redis;
        this.partitions = partitions;
        this.ledger = ledger;
    }

    /** What {@code depth.lua} said of one partition. */
    private record Depth(long now, long nextDue, long high, long total) {

        static Depth of(List<?> reply) {
            return new Depth((Long) reply.get(0), (Long) reply.get(1), (Long) reply.get(2), (Long) reply.get(3));
        }

        boolean due() {
            return nextDue >= 0 && nextDue <= now;
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
        List<Depth> depths = new ArrayList<>(partitions.count());
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
                List<RedisFuture<List<Object>>> probes = new ArrayList<>(partitions.count());
                for (RedisKeys keys : partitions.all()) {
                    probes.add(async.evalsha(LuaScripts.DEPTH.getSha1(), ScriptOutputType.MULTI,
                            SharedConnection.bytes(depthKeys(keys))));
                }
                RedisFuture<List<Object>> taken = async.evalsha(LuaScripts.TOKENS.getSha1(), ScriptOutputType.MULTI,
                        new byte[][] { SharedConnection.bytes(partitions.home().freeWorkers(node)) },
                        SharedConnection.bytes(tokenArgs(want, returned)));
                sent.forEach(SharedConnection::await);
                probes.forEach(probe -> depths.add(Depth.of(SharedConnection.await(probe))));
                SharedConnection.strings(SharedConnection.await(taken)).forEach(t -> tokens.add((String) t));
                return null;
            });
        } catch (RuntimeException e) {
            if (!WorkerLedger.scriptCacheLost(e)) {
                throw e;
            }
            // Redis restarted and lost its scripts: the same steps one by one, which load them (the
            // completions are fenced and the give-back skips tokens already there, so replaying is safe)
            depths.clear();
            tokens.clear();
            byPartition.forEach((p, some) -> redis.execute(LuaScripts.COMPLETE,
                    ledger.completeKeys(partitions.get(p), node),
                    ledger.completeArgs(partitions.get(p), node, some).toArray()));
            for (RedisKeys keys : partitions.all()) {
                depths.add(Depth.of(redis.execute(LuaScripts.DEPTH, depthKeys(keys))));
            }
            List<?> taken = redis.execute(LuaScripts.TOKENS, List.of(partitions.home().freeWorkers(node)),
                    tokenArgs(want, returned).toArray());
            taken.forEach(t -> tokens.add((String) t));
        }
        for (int p = 0; p < depths.size(); p++) {
            partitions.observedDepth(p, depths.get(p).total());
        }
        return claim(node, depths, tokens);
    }

    private WorkerLedger.Claim claim(String node, List<Depth> depths, Deque<String> tokens) {
        int count = partitions.count();
        int start = Math.floorMod(rotation++, count);
        List<ClaimedJob> claimed = new ArrayList<>();
        long[] nextDue = new long[count];
        long now = depths.get(0).now();
        int lost = 0;
        for (int p = 0; p < count; p++) {
            nextDue[p] = depths.get(p).nextDue();
        }
        try {
            if (!ledger.weighted()) {
                for (int i = 0; i < count && !tokens.isEmpty(); i++) {
                    int p = (start + i) % count;
                    if (depths.get(p).high() > 0) {
                        RedisKeys keys = partitions.get(p);
                        lost += claimAt(keys, node, List.of(keys.queue(Priority.HIGH)), tokens, claimed, nextDue);
                    }
                }
            }
            for (int i = 0; i < count && !tokens.isEmpty(); i++) {
                int p = (start + i) % count;
                Depth depth = depths.get(p);
                if (depth.total() > 0 || depth.due()) {
                    RedisKeys keys = partitions.get(p);
                    lost += claimAt(keys, node, keys.queues(), tokens, claimed, nextDue);
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
        return new WorkerLedger.Claim(claimed, earliest < 0 ? null : Duration.ofMillis(Math.max(0, earliest - now)),
                lost);
    }

    /** One partition's claim, spending tokens from the front of {@code tokens}; returns the lost ids it met. */
    private int claimAt(RedisKeys keys, String node, List<String> lists, Deque<String> tokens,
            List<ClaimedJob> claimed, long[] nextDue) {
        List<String> args = new ArrayList<>(ledger.claimArgs(keys, node, tokens.size()));
        args.addAll(tokens);
        List<?> reply = redis.execute(LuaScripts.CLAIM, WorkerLedger.claimKeys(keys, node, lists), args.toArray());
        WorkerLedger.Claim claim = WorkerLedger.toClaim(reply);
        claim.jobs().forEach(job -> tokens.remove(job.token()));
        claimed.addAll(claim.jobs());
        nextDue[keys.partition()] = (Long) reply.get(1); // after this claim's promotions
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
