package dev.sluice.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;

/**
 * A node's writes to its own worker bookkeeping, and recovery of what other nodes left behind:
 * claiming jobs with free-worker tokens, writing outcomes back with their tokens, heart-beating,
 * reaping and leaving. Each call is one script, so tokens, leases and job states always move together.
 */
@Component
public class WorkerLedger {

    private final StringRedisTemplate redis;
    private final Partitions partitions;
    private final LuaScripts scripts;
    private final RedisKeys keys;
    private final SluiceProperties.Dispatch dispatch;
    private final SluiceProperties.Jobs jobs;

    private final JobEvents events;
    private final int maxThrottled;

    private final PartitionedClaims partitioned;

    @org.springframework.beans.factory.annotation.Autowired
    WorkerLedger(StringRedisTemplate redis, Partitions partitions, SluiceProperties properties, JobEvents events,
            JobSignals signals) {
        this(redis, partitions, properties, events);
        signals.onPartitionWake(partitioned::wake);
    }

    WorkerLedger(StringRedisTemplate redis, Partitions partitions, SluiceProperties properties, JobEvents events) {
        this.maxThrottled = properties.http().maxThrottledRetries();
        this.redis = redis;
        this.partitions = partitions;
        this.scripts = partitions.scripts();
        this.keys = partitions.home();
        this.partitioned = new PartitionedClaims(redis, partitions, this, properties.dispatch().idlePoll());
        this.events = events;
        this.dispatch = properties.dispatch();
        this.jobs = properties.jobs();
    }

    /**
     * Promotes due delayed jobs, then claims up to {@code want} jobs, each paid with one of the node's
     * free tokens.
     */
    public Claim claim(String node, int want) {
        if (partitions.partitioned()) {
            return completeAndClaim(node, List.of(), want);
        }
        return toClaim(redis.execute(scripts.claim, claimKeys(keys, node), claimArgs(keys, node, want).toArray()));
    }

    /** claim.lua's keys in one partition, with a node's three queue lists to claim from. */
    List<String> claimKeys(RedisKeys keys, String node) {
        return claimKeys(keys, node, keys.queues());
    }

    /** claim.lua's keys in one partition, claiming from {@code lists} (in order). */
    static List<String> claimKeys(RedisKeys keys, String node, List<String> lists) {
        List<String> keyList = new ArrayList<>(12);
        keyList.add(keys.freeWorkers(node));
        keyList.add(keys.leases(node));
        keyList.addAll(keys.queues());
        keyList.add(keys.retrying());
        keyList.add(keys.scheduled());
        keyList.add(keys.paused());
        keyList.add(keys.priorityTurn());
        keyList.addAll(lists);
        return keyList;
    }

    /** claim.lua's arguments in one partition for a node (no remote lease base). */
    boolean weighted() {
        return !dispatch.claimWeights().isEmpty();
    }

    List<String> claimArgs(RedisKeys keys, String node, int want) {
        return List.of(Integer.toString(want), Long.toString(dispatch.lease().toMillis()), node, keys.jobPrefix(),
                keys.eventsChannel(), events.firehose() ? "1" : "0", "", dispatch.claimWeights());
    }

    /**
     * claim.lua in one partition of a partitioned namespace, spending given tokens instead of popping a
     * list ({@code args}: its first eight arguments); the tokens it spent leave {@code tokens}.
     *
     * @return Redis time of the claim, its partition's next due time (-1: none), and what it claimed
     */
    static Given claimWithTokens(StringRedisTemplate redis, LuaScripts scripts, RedisKeys keys, String member, List<String> lists,
            List<String> args, java.util.Deque<String> tokens) {
        List<String> all = new ArrayList<>(args.size() + tokens.size());
        all.addAll(args);
        all.addAll(tokens);
        List<?> reply = redis.execute(scripts.claim, claimKeys(keys, member, lists), all.toArray());
        Claim claim = toClaim(reply);
        claim.jobs().forEach(job -> tokens.remove(job.token()));
        return new Given((Long) reply.get(0), (Long) reply.get(1), claim);
    }

    /** What {@link #claimWithTokens} did: Redis time, the partition's next due time (-1: none), the claim. */
    record Given(long now, long nextDue, Claim claim) {
    }

    static Claim toClaim(List<?> reply) {
        List<ClaimedJob> claimed = new ArrayList<>((reply.size() - 3) / 9);
        for (int i = 3; i + 8 < reply.size(); i += 9) {
            String traceparent = (String) reply.get(i + 8);
            claimed.add(new ClaimedJob((String) reply.get(i), (String) reply.get(i + 1), (String) reply.get(i + 2),
                    (String) reply.get(i + 3), ((Long) reply.get(i + 4)).intValue(),
                    Duration.ofMillis(Long.parseLong((String) reply.get(i + 5))),
                    Priority.fromWire((String) reply.get(i + 6)), Duration.ofMillis((Long) reply.get(i + 7)),
                    traceparent.isEmpty() ? null : traceparent));
        }
        long now = (Long) reply.get(0);
        long nextDue = (Long) reply.get(1);
        return new Claim(claimed, nextDue < 0 ? null : Duration.ofMillis(Math.max(0, nextDue - now)),
                ((Long) reply.get(2)).intValue());
    }

    /**
     * @param jobs      the claimed jobs, highest priority first
     * @param nextDueIn how long until the earliest delayed job falls due; null when none waits
     * @param lost      queued ids whose job record was gone (evicted or lost by Redis): dropped
     */
    public record Claim(List<ClaimedJob> jobs, Duration nextDueIn, int lost) {
    }

    /** Writes outcomes and returns their tokens; returns how many outcomes were not fenced off. */
    public int complete(String node, Collection<Outcome> outcomes) {
        if (partitions.partitioned()) {
            return partitioned.complete(node, outcomes);
        }
        Long counted = redis.execute(scripts.complete, completeKeys(keys, node),
                completeArgs(keys, node, outcomes).toArray());
        return counted.intValue();
    }

    /**
     * {@link #complete} then {@link #claim} in one network round trip: both scripts are sent back to back
     * on the shared connection (Lettuce writes them together and matches the replies in order), and the
     * claim can spend the tokens the completion just returned. No dedicated connection is opened for
     * it: Spring's pipelining would take one per call, which without a pool is a new TCP connection
     * each cycle. When Redis has lost its script cache (a restart), it falls back to the two calls one
     * after the other, which reload the scripts; replaying the completion is harmless (outcomes are
     * fenced, tokens are not pushed twice), and a claim that ran in the pipeline is kept, not repeated.
     */
    public Claim completeAndClaim(String node, Collection<Outcome> outcomes, int want) {
        if (partitions.partitioned()) {
            return partitioned.cycle(node, outcomes, want);
        }
        if (outcomes.isEmpty()) {
            return claim(node, want);
        }
        byte[][] completeKeys = SharedConnection.bytes(completeKeys(keys, node));
        byte[][] claimKeys = SharedConnection.bytes(claimKeys(keys, node));
        byte[][] completeArgs = SharedConnection.bytes(completeArgs(keys, node, outcomes));
        byte[][] claimArgs = SharedConnection.bytes(claimArgs(keys, node, want));
        java.util.concurrent.atomic.AtomicReference<RedisFuture<List<Object>>> claimCall =
                new java.util.concurrent.atomic.AtomicReference<>();
        try {
            return toClaim(SharedConnection.strings(SharedConnection.send(redis, async -> {
                RedisFuture<Long> completed = async.evalsha(scripts.complete.getSha1(), ScriptOutputType.INTEGER,
                        completeKeys, completeArgs);
                RedisFuture<List<Object>> claimed = async.evalsha(scripts.claim.getSha1(), ScriptOutputType.MULTI,
                        claimKeys, claimArgs);
                claimCall.set(claimed);
                SharedConnection.await(completed);
                return SharedConnection.await(claimed);
            })));
        } catch (RuntimeException e) {
            if (!scriptCacheLost(e)) {
                throw e;
            }
            complete(node, outcomes);
            // claim.lua may have run although complete.lua was missing (another node had loaded it
            // since): the jobs it claimed are this node's now, so they are run, not claimed past
            List<Object> ran = ranAnyway(claimCall.get());
            return ran != null ? toClaim(SharedConnection.strings(ran)) : claim(node, want);
        }
    }

    /** The reply of a pipelined call that ran although another call of its pipeline failed; null when it did not. */
    static <T> T ranAnyway(RedisFuture<T> call) {
        if (call == null) {
            return null;
        }
        try {
            return SharedConnection.await(call);
        } catch (RuntimeException e) {
            return null;
        }
    }

    static boolean scriptCacheLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    List<String> completeKeys(RedisKeys keys, String node) {
        return List.of(keys.freeWorkers(node), keys.leases(node), keys.retrying(), keys.dead());
    }

    /** complete.lua's arguments; a partitioned namespace's tokens go as empty ones (given back in partition 0). */
    List<String> completeArgs(RedisKeys keys, String node, Collection<Outcome> outcomes) {
        List<String> args = outcomeArgs(keys, jobs, events, node, outcomes.size());
        args.add(Integer.toString(maxThrottled));
        for (Outcome outcome : outcomes) {
            args.add(outcome.id());
            args.add(partitions.partitioned() ? "" : outcome.token());
            args.add(Integer.toString(outcome.attempt()));
            args.add(outcome.kind().wire());
            args.add(orEmpty(outcome.result()));
            args.add(orEmpty(outcome.error()));
            args.add(orEmpty(outcome.errorType()));
            args.add(Long.toString(outcome.backoff().toMillis()));
        }
        return args;
    }

    /**
     * The first seven arguments complete.lua and finish.lua share: who reports, where jobs live, how long
     * ended ones are kept, and the channels; room for {@code outcomes} groups of eight more.
     */
    static List<String> outcomeArgs(RedisKeys keys, SluiceProperties.Jobs jobs, JobEvents events, String node,
            int outcomes) {
        List<String> args = new ArrayList<>(8 + outcomes * 8);
        args.add(node);
        args.add(keys.jobPrefix());
        args.add(Long.toString(jobs.retention().toMillis()));
        args.add(Long.toString(jobs.deadRetention().toMillis()));
        args.add(keys.wakeChannel());
        args.add(keys.eventsChannel());
        args.add(events.firehose() ? "1" : "0");
        return args;
    }

    /**
     * Registers the node, renews its running jobs' leases, hands back jobs it holds a lease for but
     * does not run (a claim whose reply was lost), and makes its token list equal {@code idleTokens}.
     * With every token idle and nothing running, this is the start-up registration.
     *
     * @param renew the jobs whose leases to renew
     * @param held  jobs the node still runs but no longer renews (past timeout + lease): left alone
     * @param epoch the namespace epoch the node saw before, or null at start-up
     */
    public Heartbeat heartbeat(String node, int poolSize, Collection<String> idleTokens, Collection<String> renew,
            Collection<String> held, String epoch) {
        if (!partitions.partitioned()) {
            return heartbeat(keys, node, poolSize, idleTokens, renew, held, epoch);
        }
        // every partition: the node's registration, its leases there and the partition's epoch; its tokens
        // live in partition 0 only. The epoch is every partition's, comma-separated.
        String[] epochs = epoch == null ? null : epoch.split(",", -1);
        Heartbeat sum = null;
        List<String> seen = new ArrayList<>(partitions.count());
        for (RedisKeys part : partitions.all()) {
            int p = part.partition();
            Heartbeat one = heartbeat(part, node, poolSize, p == 0 ? idleTokens : List.of(),
                    renew.stream().filter(id -> partitions.partitionOf(id) == p).toList(),
                    held.stream().filter(id -> partitions.partitionOf(id) == p).toList(),
                    epochs == null || epochs.length != partitions.count() ? null : epochs[p]);
            seen.add(one.epoch());
            if (sum == null) {
                sum = one;
            } else {
                List<String> cancel = new ArrayList<>(sum.cancel());
                cancel.addAll(one.cancel());
                sum = new Heartbeat(sum.at(), sum.repaired(), sum.handedBack() + one.handedBack(), null,
                        sum.dataLost() || one.dataLost(), cancel);
            }
        }
        return new Heartbeat(sum.at(), sum.repaired(), sum.handedBack(), String.join(",", seen), sum.dataLost(),
                sum.cancel());
    }

    private Heartbeat heartbeat(RedisKeys keys, String node, int poolSize, Collection<String> idleTokens,
            Collection<String> renew, Collection<String> held, String epoch) {
        List<String> args = new ArrayList<>(9 + idleTokens.size() + renew.size() + held.size());
        args.add(node);
        args.add(Long.toString(dispatch.lease().toMillis()));
        args.add(Integer.toString(poolSize));
        args.add(keys.jobPrefix());
        args.add(epoch == null ? "" : epoch);
        args.add(keys.wakeChannel());
        args.add(Long.toString(jobs.retention().toMillis()));
        args.add(Integer.toString(idleTokens.size()));
        args.addAll(idleTokens);
        args.add(Integer.toString(renew.size()));
        args.addAll(renew);
        args.addAll(held);
        List<String> keyList = new ArrayList<>(8);
        keyList.add(keys.nodes());
        keyList.add(keys.node(node));
        keyList.add(keys.freeWorkers(node));
        keyList.add(keys.leases(node));
        keyList.addAll(keys.queues());
        keyList.add(keys.epoch());
        List<?> reply = redis.execute(scripts.heartbeat, keyList, args.toArray());
        List<String> cancel = new ArrayList<>();
        for (int i = 5; i < reply.size(); i++) {
            cancel.add((String) reply.get(i));
        }
        return new Heartbeat(Instant.ofEpochMilli((Long) reply.get(0)), ((Long) reply.get(1)) == 1L,
                ((Long) reply.get(2)).intValue(), (String) reply.get(3), ((Long) reply.get(4)) == 2L, cancel);
    }

    /** The start-up registration: every token idle, nothing running. */
    public Heartbeat register(String node, int poolSize, Collection<String> idleTokens) {
        return heartbeat(node, poolSize, idleTokens, List.of(), List.of(), null);
    }

    /**
     * @param repaired   whether the token list had drifted and was rewritten
     * @param handedBack jobs whose claim reply was lost, given back to their queues with their attempt
     * @param epoch      the namespace's epoch marker now
     * @param dataLost   the marker was gone or changed: Redis lost this namespace's data since the last beat
     * @param cancel     running jobs of this node whose cancel was requested
     */
    public record Heartbeat(Instant at, boolean repaired, int handedBack, String epoch, boolean dataLost,
            List<String> cancel) {
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
