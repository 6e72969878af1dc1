package dev.sluice.queue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.connection.lettuce.LettuceExceptionConverter;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Several commands in one round trip on the one shared connection. Lettuce writes commands sent back
 * to back together and matches the replies in order, so this is a pipeline that needs no connection
 * of its own (Spring's pipelining takes a dedicated connection per call: without a pool, a new TCP
 * connection each time) and leaves no state behind on the connection.
 */
final class SharedConnection {

    private static final LettuceExceptionConverter CONVERTER = new LettuceExceptionConverter();

    private SharedConnection() {
    }

    /** Sends what {@code commands} sends on the shared connection's async API, and returns what it returns. */
    static <T> T send(StringRedisTemplate redis, Function<RedisClusterAsyncCommands<byte[], byte[]>, T> commands) {
        return redis.execute((RedisCallback<T>) connection -> {
            @SuppressWarnings("unchecked")
            RedisClusterAsyncCommands<byte[], byte[]> async =
                    (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
            return commands.apply(async);
        });
    }

    /** The reply of a command sent on the shared connection; its failure as Spring's exception. */
    static <T> T await(RedisFuture<T> future) {
        try {
            return future.get(1, TimeUnit.MINUTES); // Lettuce times the command out itself (spring.data.redis.timeout)
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        } catch (TimeoutException e) {
            throw new QueryTimeoutException("Redis did not answer within a minute", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryTimeoutException("interrupted while waiting for Redis", e);
        }
    }

    /** A failure of a command as Spring's exception (what the template would have thrown). */
    static RuntimeException translate(Throwable cause) {
        if (cause instanceof Exception failure) {
            RuntimeException converted = CONVERTER.convert(failure);
            if (converted != null) {
                return converted;
            }
            if (cause instanceof RuntimeException runtime) {
                return runtime;
            }
            if (cause instanceof java.io.IOException) {
                return new org.springframework.data.redis.RedisConnectionFailureException(cause.getMessage(), cause);
            }
        }
        return new org.springframework.data.redis.RedisSystemException(String.valueOf(cause.getMessage()), cause);
    }

    /** Redis's clock, ms: what every node agrees on. */
    static long redisTime(StringRedisTemplate redis) {
        return redis.execute((org.springframework.data.redis.core.RedisCallback<Long>) c ->
                c.serverCommands().time(java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    static byte[][] bytes(List<String> values) {
        byte[][] all = new byte[values.size()][];
        for (int i = 0; i < all.length; i++) {
            all[i] = bytes(values.get(i));
        }
        return all;
    }

    static String string(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** Bulk replies arrive as bytes on the native connection; callers read strings. */
    static List<Object> strings(List<Object> reply) {
        List<Object> out = new ArrayList<>(reply.size());
        for (Object value : reply) {
            out.add(value instanceof byte[] raw ? string(raw) : value);
        }
        return out;
    }
}
