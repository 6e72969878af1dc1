package dev.sluice.queue;

import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts under {@code src/main/resources/redis}, each read and hashed once. Spring runs them
 * with EVALSHA and falls back to EVAL when a restarted Redis has lost its script cache.
 */
final class LuaScripts {

    static final RedisScript<List> ENQUEUE = load("enqueue", List.class);
    static final RedisScript<List> CLAIM = load("claim", List.class);
    static final RedisScript<Long> COMPLETE = load("complete", Long.class);
    static final RedisScript<List> HEARTBEAT = load("heartbeat", List.class);
    static final RedisScript<List> REAP = load("reap", List.class);
    static final RedisScript<List> CANCEL = load("cancel", List.class);
    static final RedisScript<String> RETRY = load("retry", String.class);
    static final RedisScript<List> WATCH = load("watch", List.class);
    static final RedisScript<Long> PROGRESS = load("progress", Long.class);
    static final RedisScript<String> PURGE = load("purge", String.class);

    private LuaScripts() {
    }

    private static <T> RedisScript<T> load(String name, Class<T> resultType) {
        return RedisScript.of(new ClassPathResource("redis/" + name + ".lua"), resultType);
    }
}
