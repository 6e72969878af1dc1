package dev.sluice.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * A node's writes to its own worker bookkeeping: claiming jobs with free-worker tokens, writing
 * outcomes back with their tokens, and heart-beating. Each call is one script, so tokens, leases and
 * job states always move together.
 */
@Component
public class WorkerLedger {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    WorkerLedger(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Claims up to {@code want} jobs, each paid with one of the node's free tokens. */
    public List<ClaimedJob> claim(String node, int want, Duration lease) {
        List<String> keyList = new ArrayList<>(5);
        keyList.add(keys.freeWorkers(node));
        keyList.add(keys.leases(node));
        keyList.addAll(keys.queues());
        List<?> reply = redis.execute(LuaScripts.CLAIM, keyList,
                Integer.toString(want), Long.toString(lease.toMillis()), node, keys.jobPrefix());
        List<ClaimedJob> claimed = new ArrayList<>((reply.size() - 1) / 6);
        for (int i = 1; i + 5 < reply.size(); i += 6) {
            claimed.add(new ClaimedJob((String) reply.get(i), (String) reply.get(i + 1), (String) reply.get(i + 2),
                    (String) reply.get(i + 3), ((Long) reply.get(i + 4)).intValue(),
                    Duration.ofMillis(Long.parseLong((String) reply.get(i + 5)))));
        }
        return claimed;
    }

    /** Writes outcomes and returns their tokens; returns how many outcomes were not fenced off. */
    public int complete(String node, Collection<Outcome> outcomes, Duration retention) {
        List<String> args = new ArrayList<>(4 + outcomes.size() * 7);
        args.add(node);
        args.add(keys.jobPrefix());
        args.add(Long.toString(retention.toMillis()));
        args.add(keys.finishedChannel());
        for (Outcome outcome : outcomes) {
            args.add(outcome.id());
            args.add(outcome.token());
            args.add(Integer.toString(outcome.attempt()));
            args.add(outcome.state().wire());
            args.add(orEmpty(outcome.result()));
            args.add(orEmpty(outcome.error()));
            args.add(orEmpty(outcome.errorType()));
        }
        Long recorded = redis.execute(LuaScripts.COMPLETE, List.of(keys.freeWorkers(node), keys.leases(node)),
                args.toArray());
        return recorded.intValue();
    }

    /**
     * Registers the node, renews its running jobs' leases and makes its token list equal
     * {@code idleTokens}. With every token idle and nothing running, this is the start-up registration.
     */
    public Heartbeat heartbeat(String node, int poolSize, Collection<String> idleTokens,
            Collection<String> runningJobs, Duration lease) {
        List<String> args = new ArrayList<>(4 + idleTokens.size() + runningJobs.size());
        args.add(node);
        args.add(Long.toString(lease.toMillis()));
        args.add(Integer.toString(poolSize));
        args.add(Integer.toString(idleTokens.size()));
        args.addAll(idleTokens);
        args.addAll(runningJobs);
        List<?> reply = redis.execute(LuaScripts.HEARTBEAT,
                List.of(keys.nodes(), keys.node(node), keys.freeWorkers(node), keys.leases(node)), args.toArray());
        return new Heartbeat(Instant.ofEpochMilli((Long) reply.get(0)), ((Long) reply.get(1)) == 1L);
    }

    /** Deregisters a stopping node; jobs it still holds go back to the head of their queues. */
    public int leave(String node) {
        List<String> keyList = new ArrayList<>(List.of(keys.nodes(), keys.node(node), keys.freeWorkers(node),
                keys.leases(node)));
        keyList.addAll(keys.queues());
        Long back = redis.execute(LuaScripts.LEAVE, keyList, node, keys.jobPrefix());
        return back.intValue();
    }

    /** @param repaired whether the token list had drifted and was rewritten */
    public record Heartbeat(Instant at, boolean repaired) {
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
