package dev.sluice.queue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts under {@code src/main/resources/redis}, each read and hashed once per way of
 * announcing (classic or sharded pub/sub: {@link Partitions#scripts()}). Spring runs them with EVALSHA
 * and falls back to EVAL when a restarted Redis has lost its script cache.
 */
final class LuaScripts {

    /** Functions every script may use (Redis time, the rule after a failed attempt), prepended to each. */
    private static final String PRELUDE = text("_prelude");
    /** The prelude's one line naming the publish command every script announces with. */
    private static final String CLASSIC_PUBLISH = "local PUBLISH = 'PUBLISH'";
    private static final String SHARDED_PUBLISH = "local PUBLISH = 'SPUBLISH'";

    /** Announcing with classic {@code PUBLISH}: one Redis, Sentinel, a cluster on request. */
    static final LuaScripts CLASSIC = new LuaScripts(false);
    /** Announcing with {@code SPUBLISH}, each message kept on its slot's shard (Redis 7 cluster). */
    static final LuaScripts SHARDED = new LuaScripts(true);

    final RedisScript<List> enqueue;
    final RedisScript<List> claim;
    final RedisScript<Long> complete;
    final RedisScript<List> heartbeat;
    final RedisScript<List> reap;
    final RedisScript<List> cancel;
    final RedisScript<String> retry;
    final RedisScript<List> watch;
    final RedisScript<Long> progress;
    final RedisScript<String> purge;
    final RedisScript<Long> appendRecord;
    final RedisScript<List> stats;
    final RedisScript<List> worker;
    final RedisScript<List> lease;
    final RedisScript<List> finish;
    final RedisScript<List> jobType;
    final RedisScript<Long> unpark;
    final RedisScript<List> depth;
    final RedisScript<List> tokens;
    final RedisScript<String> member;
    final RedisScript<Long> touch;
    final RedisScript<Long> mend;

    private LuaScripts(boolean sharded) {
        String prelude = sharded ? PRELUDE.replace(CLASSIC_PUBLISH, SHARDED_PUBLISH) : PRELUDE;
        if (sharded && prelude.equals(PRELUDE)) {
            throw new IllegalStateException("_prelude.lua no longer declares " + CLASSIC_PUBLISH);
        }
        enqueue = load(prelude, "enqueue", List.class);
        claim = load(prelude, "claim", List.class);
        complete = load(prelude, "complete", Long.class);
        heartbeat = load(prelude, "heartbeat", List.class);
        reap = load(prelude, "reap", List.class);
        cancel = load(prelude, "cancel", List.class);
        retry = load(prelude, "retry", String.class);
        watch = load(prelude, "watch", List.class);
        progress = load(prelude, "progress", Long.class);
        purge = load(prelude, "purge", String.class);
        appendRecord = load(prelude, "append-record", Long.class);
        stats = load(prelude, "stats", List.class);
        worker = load(prelude, "worker", List.class);
        lease = load(prelude, "lease", List.class);
        finish = load(prelude, "finish", List.class);
        jobType = load(prelude, "job-type", List.class);
        unpark = load(prelude, "unpark", Long.class);
        depth = load(prelude, "depth", List.class);
        tokens = load(prelude, "tokens", List.class);
        member = load(prelude, "member", String.class);
        touch = load(prelude, "touch", Long.class);
        mend = load(prelude, "mend", Long.class);
    }

    /**
     * Reads the script's text now, once: a script resolved later through a class loader could find
     * that loader's context already stopped (contexts restarted in one JVM: tests, benchmarks, DevTools).
     */
    private static <T> RedisScript<T> load(String prelude, String name, Class<T> resultType) {
        return RedisScript.of(prelude + "\n" + text(name), resultType);
    }

    private static String text(String name) {
        try (InputStream in = new ClassPathResource("redis/" + name + ".lua").getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the Lua script redis/" + name + ".lua", e);
        }
    }
}
