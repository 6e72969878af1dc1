package dev.sluice.queue;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Storage for clients of the queue that keep records of their own (the order example): a hash of
 * fields per record, append-only lists beside it (concurrent appenders never lose each other's
 * entries), and one secondary index. Every record expires after its retention.
 */
@Component
public class Records {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    Records(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Creates a record and indexes it, in one transaction. */
    public void create(String kind, String id, Map<String, String> fields, String index, String value,
            Duration retention) {
        transaction(ops -> {
            ops.opsForHash().putAll(keys.record(kind, id), fields);
            ops.expire(keys.record(kind, id), retention);
            ops.opsForSet().add(keys.recordIndex(kind, index, value), id);
            ops.expire(keys.recordIndex(kind, index, value), retention);
        });
    }

    /** Removes a record that should not exist after all (its creating request failed). */
    public void delete(String kind, String id, String index, String value, List<String> lists) {
        transaction(ops -> {
            ops.delete(keys.record(kind, id));
            lists.forEach(list -> ops.delete(keys.recordList(kind, id, list)));
            ops.opsForSet().remove(keys.recordIndex(kind, index, value), id);
        });
    }

    /** The record's fields; empty when there is none. */
    public Map<String, String> read(String kind, String id) {
        Map<Object, Object> raw = redis.opsForHash().entries(keys.record(kind, id));
        Map<String, String> fields = new LinkedHashMap<>();
        raw.forEach((field, value) -> fields.put((String) field, (String) value));
        return fields;
    }

    /** Sets one field, if the record exists. */
    public void put(String kind, String id, String field, String value) {
        String key = keys.record(kind, id);
        if (Boolean.TRUE.equals(redis.hasKey(key))) {
            redis.opsForHash().put(key, field, value);
        }
    }

    /** Appends an entry to one of the record's lists; the list lives as long as the record. */
    public void append(String kind, String id, String list, String entry) {
        Long ttl = redis.getExpire(keys.record(kind, id));
        String key = keys.recordList(kind, id, list);
        transaction(ops -> {
            ops.opsForList().rightPush(key, entry);
            if (ttl != null && ttl > 0) {
                ops.expire(key, Duration.ofSeconds(ttl));
            }
        });
    }

    public List<String> list(String kind, String id, String list) {
        List<String> entries = redis.opsForList().range(keys.recordList(kind, id, list), 0, -1);
        return entries == null ? List.of() : entries;
    }

    /** Ids of the records of a kind with that index value. */
    public Set<String> indexed(String kind, String index, String value) {
        Set<String> ids = redis.opsForSet().members(keys.recordIndex(kind, index, value));
        return ids == null ? Set.of() : ids;
    }

    private void transaction(java.util.function.Consumer<RedisOperations<String, String>> writes) {
        redis.execute(new SessionCallback<List<Object>>() {
            @Override
            @SuppressWarnings("unchecked")
            public List<Object> execute(RedisOperations operations) {
                operations.multi();
                writes.accept(operations);
                return operations.exec();
            }
        });
    }
}
