package dev.sluice.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    private final RedisKeys keys;

    Records(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Creates a record and indexes it, in one script: never one without the other. */
    public void create(String kind, String id, Map<String, String> fields, String index, String value,
            Duration retention) {
        List<String> args = new ArrayList<>(2 + fields.size() * 2);
        args.add(id);
        args.add(Long.toString(retention.toMillis()));
        fields.forEach((field, text) -> {
            args.add(field);
            args.add(text);
        });
        redis.execute(LuaScripts.CREATE_RECORD, List.of(keys.record(kind, id), keys.recordIndex(kind, index, value)),
                args.toArray());
    }

    /** Removes a record that should not exist after all (its creating request failed), in one script. */
    public void delete(String kind, String id, String index, String value, List<String> lists) {
        List<String> keyList = new ArrayList<>(2 + lists.size());
        keyList.add(keys.record(kind, id));
        keyList.add(keys.recordIndex(kind, index, value));
        lists.forEach(list -> keyList.add(keys.recordList(kind, id, list)));
        redis.execute(LuaScripts.DELETE_RECORD, keyList, id);
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

    /** Appends an entry to one of the record's lists, which lives as long as the record; nothing if it is gone. */
    public void append(String kind, String id, String list, String entry) {
        redis.execute(LuaScripts.APPEND_RECORD, List.of(keys.record(kind, id), keys.recordList(kind, id, list)), entry);
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
}
