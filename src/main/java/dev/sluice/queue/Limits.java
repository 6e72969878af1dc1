package dev.sluice.queue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Concurrency caps and rate limits per job type, kept in Redis ({@code {ns}:limits:<type>}) so every node and remote
 * worker obeys the same ones at once: claim.lua reads them (take_slot in the prelude) with the token
 * take, and parks a job that is over its cap instead of claiming it.
 */
@Component
public class Limits {

    /**
     * @param concurrency        at most this many jobs of the type running at once, everywhere; null: no cap
     * @param perKeyConcurrency  at most this many per key (keyless jobs are one key); null: no cap
     */
    public record Caps(Integer concurrency, Integer perKeyConcurrency, Rate rate, Rate perKeyRate) {

        public Caps(Integer concurrency, Integer perKeyConcurrency) {
            this(concurrency, perKeyConcurrency, null, null);
        }

        public boolean none() {
            return concurrency == null && perKeyConcurrency == null && rate == null && perKeyRate == null;
        }
    }

    /** At most {@code limit} jobs started per {@code period} (a sliding window in Redis time). */
    public record Rate(int limit, java.time.Duration period) {
    }

    /**
     * A type's caps with what runs and waits for a slot now, and how many jobs of the type started
     * within its rate's period up to now (0 without a rate).
     */
    public record Use(String type, Caps caps, long running, long parked, long rateUsed) {
    }

    private final StringRedisTemplate redis;
    private final Partitions partitions;
    private final LuaScripts scripts;
    private final RedisKeys keys;

    Limits(StringRedisTemplate redis, Partitions partitions) {
        this.redis = redis;
        this.partitions = partitions;
        this.scripts = partitions.scripts();
        this.keys = partitions.home();
    }

    /**
     * Sets (or, with none, removes) a type's caps; they apply from the next claim on every node. The jobs
     * the old caps parked go back to the head of their queues, so a raised cap takes effect at once.
     */
    public void put(String type, Caps caps) {
        // every partition's claims read their own copy: a cap holds per partition (see the README)
        for (RedisKeys part : partitions.all()) {
            store(part, type, caps);
            redis.execute(scripts.unpark, List.of(part.parkedLists(type)), part.jobPrefix(), part.wakeChannel());
        }
    }

    private void store(RedisKeys keys, String type, Caps caps) {
        String key = keys.limits(type);
        if (caps.none()) {
            redis.delete(key);
            redis.opsForSet().remove(keys.limitedTypes(), type);
            return;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        if (caps.concurrency() != null) {
            fields.put("concurrency", caps.concurrency().toString());
        }
        if (caps.perKeyConcurrency() != null) {
            fields.put("perKeyConcurrency", caps.perKeyConcurrency().toString());
        }
        if (caps.rate() != null) {
            fields.put("rateLimit", Integer.toString(caps.rate().limit()));
            fields.put("ratePeriodMs", Long.toString(caps.rate().period().toMillis()));
        }
        if (caps.perKeyRate() != null) {
            fields.put("keyRateLimit", Integer.toString(caps.perKeyRate().limit()));
            fields.put("keyRatePeriodMs", Long.toString(caps.perKeyRate().period().toMillis()));
        }
        redis.delete(key);
        redis.opsForHash().putAll(key, fields);
        redis.opsForSet().add(keys.limitedTypes(), type);
    }

    public Caps get(String type) {
        List<Object> stored = redis.opsForHash().multiGet(keys.limits(type), List.of("concurrency", "perKeyConcurrency",
                "rateLimit", "ratePeriodMs", "keyRateLimit", "keyRatePeriodMs"));
        return new Caps(integer(stored.get(0)), integer(stored.get(1)), rate(stored.get(2), stored.get(3)),
                rate(stored.get(4), stored.get(5)));
    }

    private static Rate rate(Object limit, Object periodMs) {
        return limit == null || periodMs == null ? null
                : new Rate(Integer.parseInt((String) limit), java.time.Duration.ofMillis(Long.parseLong((String) periodMs)));
    }

    /** Every capped or rate-limited type with its use now (parked: over its cap or a key's, in every parked list). */
    public List<Use> use() {
        Set<String> types = redis.opsForSet().members(keys.limitedTypes());
        if (types == null || types.isEmpty()) {
            return List.of();
        }
        long now = SharedConnection.redisTime(redis);
        return new TreeSet<>(types).stream().map(type -> {
            Caps caps = get(type);
            long running = 0;
            long parked = 0;
            long used = 0;
            for (RedisKeys part : partitions.all()) { // summed over the partitions
                Object count = redis.opsForHash().get(part.running(), type);
                running += count == null ? 0 : Long.parseLong((String) count);
                Set<String> lists = redis.opsForSet().members(part.parkedLists(type));
                for (String list : lists == null ? Set.<String>of() : lists) {
                    Long size = redis.opsForList().size(list);
                    parked += size == null ? 0 : size;
                }
                Long started = caps.rate() == null ? Long.valueOf(0)
                        : redis.opsForZSet().count(part.rateLog(type), now - caps.rate().period().toMillis() + 1,
                                Double.POSITIVE_INFINITY);
                used += started == null ? 0 : started;
            }
            return new Use(type, caps, running, parked, used);
        }).toList();
    }

    private static Integer integer(Object value) {
        return value == null ? null : Integer.valueOf((String) value);
    }
}
