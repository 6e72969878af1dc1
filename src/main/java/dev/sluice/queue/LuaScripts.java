package dev.sluice.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts under {@code src/main/resources/redis}, each read and hashed once. Spring runs them
 * with EVALSHA and falls back to EVAL when a restarted Redis has lost its script cache.
 */
final class LuaScripts {

    /** Functions every script may use (Redis time, the rule after a failed attempt), prepended to each. */
    private static final String PRELUDE = text("_prelude");

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
    static final RedisScript<Long> APPEND_RECORD = load("append-record", Long.class);
    static final RedisScript<List> STATS = load("stats", List.class);
    static final RedisScript<List> WORKER = load("worker", List.class);
    static final RedisScript<List> LEASE = load("lease", List.class);
    static final RedisScript<List> FINISH = load("finish", List.class);
    static final RedisScript<List> JOB_TYPE = load("job-type", List.class);
    static final RedisScript<Long> UNPARK = load("unpark", Long.class);
    static final RedisScript<List> DEPTH = load("depth", List.class);
    static final RedisScript<List> TOKENS = load("tokens", List.class);
    static final RedisScript<String> MEMBER = load("member", String.class);
    static final RedisScript<Long> TOUCH = load("touch", Long.class);

    private LuaScripts() {
    }

    /**
     * Reads the script's text now, once: a script resolved later through a class loader could find
     * that loader's context already stopped (contexts restarted in one JVM: tests, benchmarks, DevTools).
     */
    private static <T> RedisScript<T> load(String name, Class<T> resultType) {
        return RedisScript.of(PRELUDE + "\n" + text(name), resultType);
    }

    private static String text(String name) {
        try (InputStream in = new ClassPathResource("redis/" + name + ".lua").getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Lua script redis/" + name + ".lua", e);
        }
    }
}
