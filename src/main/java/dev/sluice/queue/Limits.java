package dev.sluice.queue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Concurrency caps per job type, kept in Redis ({@code {ns}:limits:<type>}) so every node and remote
 * worker obeys the same ones at once: claim.lua reads them (take_slot in the prelude) with the token
 * take, and parks a job that is over its cap instead of claiming it.
 */
@Component
public class Limits {

    /**
     * @param concurrency        at most this many jobs of the type running at once, everywhere; null: no cap
     * @param perKeyConcurrency  at most this many per key (keyless jobs are one key); null: no cap
     */
    public record Caps(Integer concurrency, Integer perKeyConcurrency) {
        public boolean none() {
            return concurrency == null && perKeyConcurrency == null;
        }
    }

    /** A type's caps with what runs and waits for a slot now. */
    public record Use(String type, Caps caps, long running, long parked) {
    }

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    Limits(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Sets (or, with none, removes) a type's caps; they apply from the next claim on every node. */
    public void put(String type, Caps caps) {
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
        redis.delete(key);
        redis.opsForHash().putAll(key, fields);
        redis.opsForSet().add(keys.limitedTypes(), type);
    }

    public Caps get(String type) {
        List<Object> stored = redis.opsForHash().multiGet(keys.limits(type), List.of("concurrency", "perKeyConcurrency"));
        return new Caps(integer(stored.get(0)), integer(stored.get(1)));
    }

    /** Every capped type with its use now. */
    public List<Use> use() {
        Set<String> types = redis.opsForSet().members(keys.limitedTypes());
        if (types == null) {
            return List.of();
        }
        return new TreeSet<>(types).stream().map(type -> {
            Object running = redis.opsForHash().get(keys.running(), type);
            Long parked = redis.opsForList().size(keys.parked(type));
            return new Use(type, get(type), running == null ? 0 : Long.parseLong((String) running),
                    parked == null ? 0 : parked);
        }).toList();
    }

    private static Integer integer(Object value) {
        return value == null ? null : Integer.valueOf((String) value);
    }
}
