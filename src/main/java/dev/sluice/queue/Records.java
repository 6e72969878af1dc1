package dev.sluice.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Storage for clients of the queue that keep records of their own (the order example): a hash of
 * fields per record, append-only lists beside it (concurrent appenders never lose each other's
 * entries), and one secondary index. Every record expires after its retention. Each write of more than
 * one key is one script: no MULTI/EXEC, whose state a timed-out command could leave open on a shared
 * connection.
 */
@Component
public class Records {

    private final StringRedisTemplate redis;
    private final Partitions partitions;
    private final LuaScripts scripts;
    private final JsonMapper json;

    Records(StringRedisTemplate redis, Partitions partitions, JsonMapper json) {
        this.redis = redis;
        this.partitions = partitions;
        this.scripts = partitions.scripts();
        this.json = json;
    }

    /**
     * A record to be created by an enqueue, with its first jobs, in one script call: indexed, and
     * with a first entry in one of its lists. Nothing is written until the enqueue is; a refused or
     * replayed enqueue writes no record either.
     */
    public Enqueue.Record attach(String kind, String id, Map<String, String> fields, String index, String value,
            Duration retention, String list, String entry) {
        List<String> flat = new ArrayList<>(fields.size() * 2);
        fields.forEach((field, text) -> {
            flat.add(field);
            flat.add(text);
        });
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", id);
        record.put("retention", retention.toMillis());
        record.put("fields", flat);
        record.put("entry", entry);
        RedisKeys keys = partitions.of(id);
        return new Enqueue.Record(keys.record(kind, id), keys.recordIndex(kind, index, value),
                keys.recordList(kind, id, list), json.writeValueAsString(record));
    }

    /** The record's fields; empty when there is none. */
    public Map<String, String> read(String kind, String id) {
        Map<Object, Object> raw = redis.opsForHash().entries(partitions.of(id).record(kind, id));
        Map<String, String> fields = new LinkedHashMap<>();
        raw.forEach((field, value) -> fields.put((String) field, (String) value));
        return fields;
    }

    /** Sets one field, if the record exists. */
    public void put(String kind, String id, String field, String value) {
        String key = partitions.of(id).record(kind, id);
        if (Boolean.TRUE.equals(redis.hasKey(key))) {
            redis.opsForHash().put(key, field, value);
        }
    }

    /** Appends an entry to one of the record's lists, which lives as long as the record; nothing if it is gone. */
    public void append(String kind, String id, String list, String entry) {
        RedisKeys keys = partitions.of(id);
        redis.execute(scripts.appendRecord, List.of(keys.record(kind, id), keys.recordList(kind, id, list)), entry);
    }

    public List<String> list(String kind, String id, String list) {
        List<String> entries = redis.opsForList().range(partitions.of(id).recordList(kind, id, list), 0, -1);
        return entries == null ? List.of() : entries;
    }

    /** Ids of the records of a kind with that index value (each partition indexes its own records). */
    public Set<String> indexed(String kind, String index, String value) {
        Set<String> all = new java.util.HashSet<>();
        for (RedisKeys keys : partitions.all()) {
            Set<String> ids = redis.opsForSet().members(keys.recordIndex(kind, index, value));
            if (ids != null) {
                all.addAll(ids);
            }
        }
        return all;
    }
}
