package dev.sluice.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.stereotype.Component;

/** Read-only views of the queues and nodes; never writes. */
@Component
public class QueueInspector {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    QueueInspector(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    public QueueStats stats() {
        Set<TypedTuple<String>> nodes = redis.opsForZSet().rangeWithScores(keys.nodes(), 0, -1);
        List<TypedTuple<String>> nodeList = nodes == null ? List.of() : new ArrayList<>(nodes);
        // One MULTI/EXEC, so the snapshot is atomic: no claim or completion lands between reading a
        // node's free tokens and its leases, and free + running = pool holds in what we report.
        List<Object> replies = redis.execute(new SessionCallback<List<Object>>() {
            @Override
            @SuppressWarnings("unchecked")
            public List<Object> execute(RedisOperations operations) {
                RedisOperations<String, String> ops = operations;
                ops.multi();
                for (Priority priority : Priority.values()) {
                    ops.opsForList().size(keys.queue(priority));
                }
                for (TypedTuple<String> node : nodeList) {
                    ops.opsForHash().get(keys.node(node.getValue()), "poolSize");
                    ops.opsForList().size(keys.freeWorkers(node.getValue()));
                    ops.opsForZSet().zCard(keys.leases(node.getValue()));
                }
                return ops.exec();
            }
        });
        Map<Priority, Long> depths = new EnumMap<>(Priority.class);
        for (Priority priority : Priority.values()) {
            depths.put(priority, (Long) replies.get(priority.ordinal()));
        }
        List<QueueStats.NodeStats> nodeStats = new ArrayList<>(nodeList.size());
        long running = 0;
        for (int i = 0; i < nodeList.size(); i++) {
            int at = 3 + i * 3;
            String poolSize = (String) replies.get(at);
            long nodeRunning = (Long) replies.get(at + 2);
            running += nodeRunning;
            nodeStats.add(new QueueStats.NodeStats(nodeList.get(i).getValue(),
                    poolSize == null ? 0 : Integer.parseInt(poolSize), (Long) replies.get(at + 1), nodeRunning,
                    Instant.ofEpochMilli(nodeList.get(i).getScore().longValue())));
        }
        return new QueueStats(depths, running, nodeStats);
    }
}
