package dev.sluice.queue;

import java.util.ArrayList;
import java.util.List;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;

/**
 * Recovery of what crashed, stalled or leaving nodes hold: one script (reap.lua) for the reaper's
 * tick (any node, one per tick by lock) and for a stopping node leaving on its own.
 */
@Component
public class NodeRecovery {

    private final StringRedisTemplate redis;
    private final Partitions partitions;
    private final LuaScripts scripts;
    private final SluiceProperties.Dispatch dispatch;
    private final SluiceProperties.Jobs jobs;

    NodeRecovery(StringRedisTemplate redis, Partitions partitions, SluiceProperties properties) {
        this.redis = redis;
        this.partitions = partitions;
        this.scripts = partitions.scripts();
        this.dispatch = properties.dispatch();
        this.jobs = properties.jobs();
    }

    /**
     * Recovers jobs whose lease ran out and removes nodes that stopped heart-beating, unless another
     * node holds this tick's lock ({@link Reaped#skipped()}). Each partition is reaped on its own (its
     * own lock, nodes, leases and queues); the counts are summed, and the tick counts as skipped only
     * when every partition's lock was held elsewhere.
     */
    public Reaped reap(String self) {
        return reap(self, "");
    }

    /** Deregisters a stopping node; jobs it still holds go back to the head of their queues. */
    public Reaped leave(String node) {
        return reap(node, node);
    }

    private Reaped reap(String self, String leaving) {
        Reaped sum = null;
        for (RedisKeys keys : partitions.all()) {
            Reaped one = reap(keys, self, leaving);
            sum = sum == null ? one : sum.plus(one);
        }
        return sum;
    }

    private Reaped reap(RedisKeys keys, String self, String leaving) {
        List<String> keyList = new ArrayList<>(6);
        keyList.add(keys.nodes());
        keyList.addAll(keys.queues());
        keyList.add(keys.dead());
        keyList.add(keys.reaperLock());
        List<?> reply = redis.execute(scripts.reap, keyList,
                keys.nodePrefix(), keys.jobPrefix(), Long.toString(dispatch.lease().toMillis()), leaving, self,
                Long.toString(dispatch.reaperInterval().toMillis()), Long.toString(jobs.retention().toMillis()),
                Long.toString(jobs.deadRetention().toMillis()), keys.wakeChannel(), keys.eventsChannel(),
                partitions.partitioned() ? "1" : "");
        // remote workers' tokens freed by recoveries in this partition go back to their lists in partition 0
        for (int i = 5; i + 1 < reply.size(); i += 2) {
            String member = (String) reply.get(i);
            redis.execute(scripts.tokens, List.of(partitions.home().freeWorkers(member), partitions.home().node(member)),
                    "0", (String) reply.get(i + 1));
        }
        return new Reaped(((Long) reply.get(0)).intValue(), ((Long) reply.get(1)).intValue(),
                ((Long) reply.get(2)).intValue(), ((Long) reply.get(3)).intValue(), ((Long) reply.get(4)).intValue());
    }

    /**
     * What one reaping did.
     *
     * @param requeued  jobs put back at the head of their queue
     * @param cancelled jobs whose cancel had been requested, now cancelled
     * @param gaveUp    jobs that lost their last attempt, now dead (or failed, with one attempt)
     * @param nodes     silent nodes removed
     * @param recounted running counts of capped types (per type or key) found wrong and corrected
     */
    public record Reaped(int requeued, int cancelled, int gaveUp, int nodes, int recounted) {
        public boolean skipped() {
            return requeued < 0;
        }

        /** Both reapings' counts; skipped only if both were. */
        Reaped plus(Reaped other) {
            if (skipped()) {
                return other;
            }
            if (other.skipped()) {
                return this;
            }
            return new Reaped(requeued + other.requeued, cancelled + other.cancelled, gaveUp + other.gaveUp,
                    Math.max(nodes, other.nodes), recounted + other.recounted);
        }
    }
}
