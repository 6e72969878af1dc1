package dev.sluice.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.lettuce.core.RedisFuture;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads the throughput history the outcome scripts keep in Redis ({@code {ns}:stats:<minute>}, see
 * count_outcome in _prelude.lua): per minute, how many deliveries ended in each state, per job type,
 * for the last 25 hours, from every node and remote worker.
 */
@Component
public class Throughput {

    /** The longest range that can be asked for. */
    public static final Duration MAX_RANGE = Duration.ofHours(24);

    private final StringRedisTemplate redis;
    private final Partitions partitions;

    Throughput(StringRedisTemplate redis, Partitions partitions) {
        this.redis = redis;
        this.partitions = partitions;
    }

    /**
     * @param at     the minute's start
     * @param byType per job type, how many deliveries ended in each state (succeeded, failed, dead,
     *               retrying, cancelled)
     */
    public record Minute(Instant at, Map<String, Map<String, Long>> byType) {
    }

    /** The minutes of the last {@code range} (at most {@link #MAX_RANGE}), oldest first, the current one last. */
    public List<Minute> last(Duration range) {
        long now = SharedConnection.redisTime(redis);
        long current = now / 60_000;
        int count = (int) Math.max(1, Math.min(MAX_RANGE.toMinutes(), range.toMinutes()));
        List<Map<byte[], byte[]>> hashes = SharedConnection.send(redis, async -> {
            // each partition counts its own deliveries: minute i of partition p is future p * count + i
            List<RedisFuture<Map<byte[], byte[]>>> futures = new ArrayList<>(count * partitions.count());
            for (RedisKeys keys : partitions.all()) {
                for (long minute = current - count + 1; minute <= current; minute++) {
                    futures.add(async.hgetall(SharedConnection.bytes(keys.stats(minute))));
                }
            }
            List<Map<byte[], byte[]>> replies = new ArrayList<>(futures.size());
            futures.forEach(future -> replies.add(SharedConnection.await(future)));
            return replies;
        });
        List<Minute> minutes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Map<String, Map<String, Long>> byType = new TreeMap<>();
            for (int p = 0; p < partitions.count(); p++) {
                hashes.get(p * count + i).forEach((field, value) -> {
                    String name = SharedConnection.string(field);
                    int bar = name.indexOf('|');
                    byType.computeIfAbsent(name.substring(bar + 1), type -> new TreeMap<>())
                            .merge(name.substring(0, bar), Long.parseLong(SharedConnection.string(value)), Long::sum);
                });
            }
            minutes.add(new Minute(Instant.ofEpochMilli((current - count + 1 + i) * 60_000), byType));
        }
        return minutes;
    }
}
