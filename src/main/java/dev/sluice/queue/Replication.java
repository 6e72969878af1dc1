package dev.sluice.queue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;

import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;

/**
 * Durable acceptance ({@code sluice.durability.replicas}): after a write that a caller is about to be
 * told about (an enqueue answered 202, a completion), waits until that many replicas hold it, with
 * Redis's {@code WAIT}.
 *
 * <p>{@code WAIT} counts the writes of the connection it is sent on, so it goes on the connection the
 * write went on: the shared connection to a single Redis (or Sentinel's master), or, on a cluster, the
 * shared connection to the master of the namespace's slot (Lettuce keeps one write connection per
 * master, and routes both the scripts and this command through it).
 *
 * <p>Callers are grouped: while one {@code WAIT} is out, every caller that arrives waits for the next
 * one, sent as soon as the first returns, so a burst of enqueues costs two replica round trips, not
 * one each. A caller is never covered by a {@code WAIT} sent before its own write was answered (that
 * one may have been sent before the write). Only one {@code WAIT} is ever out, because a {@code WAIT}
 * holds up every command behind it on its connection.
 */
@Component
public final class Replication {

    private final StringRedisTemplate redis;
    private final int replicas;
    private final long timeoutMillis;
    private final List<Group> groups;

    Replication(StringRedisTemplate redis, Partitions partitions, SluiceProperties properties) {
        this.redis = redis;
        this.replicas = properties.durability().replicas();
        this.timeoutMillis = properties.durability().timeout().toMillis();
        this.groups = partitions.all().stream().map(keys -> new Group(SharedConnection.bytes(keys.epoch()))).toList();
    }

    /**
     * Returns once {@code sluice.durability.replicas} replicas hold every write this node sent so far
     * to the master of these keys' partition (each partition groups its own callers: on a cluster they
     * may be on different masters).
     *
     * @throws NotReplicatedException when fewer acknowledged them within {@code sluice.durability.timeout}
     */
    public void confirm(RedisKeys keys) {
        if (replicas == 0) {
            return;
        }
        long acknowledged = await(groups.get(keys.partition()).join());
        if (acknowledged < replicas) {
            throw new NotReplicatedException(acknowledged, replicas);
        }
    }

    /** The callers of one partition's master: one WAIT out at a time, the next shared by all who arrive meanwhile. */
    private final class Group {

        private final byte[] slotKey;
        private final Object lock = new Object();
        private CompletableFuture<Long> inFlight;
        private CompletableFuture<Long> next;

        Group(byte[] slotKey) {
            this.slotKey = slotKey;
        }

        CompletableFuture<Long> join() {
            synchronized (lock) {
                if (inFlight == null) {
                    CompletableFuture<Long> reply = new CompletableFuture<>();
                    send(reply);
                    return reply;
                }
                if (next == null) {
                    next = new CompletableFuture<>();
                }
                return next;
            }
        }

        /** Sends a WAIT answering {@code reply} (under the lock); when it returns, the next one for whoever joined. */
        private void send(CompletableFuture<Long> reply) {
            inFlight = reply;
            CompletableFuture<Long> sent;
            try {
                sent = SharedConnection.send(redis, async -> waitOn(async, slotKey).toCompletableFuture());
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            // the next WAIT is sent off Lettuce's event loop: reaching a master may have to wait for a connection
            sent.whenCompleteAsync((count, failure) -> {
                synchronized (lock) {
                    CompletableFuture<Long> waiting = next;
                    next = null;
                    if (waiting != null) {
                        send(waiting);
                    } else {
                        inFlight = null;
                    }
                }
                if (failure != null) {
                    reply.completeExceptionally(failure);
                } else {
                    reply.complete(count);
                }
            });
        }
    }

    private RedisFuture<Long> waitOn(RedisClusterAsyncCommands<byte[], byte[]> async, byte[] slotKey) {
        if (async instanceof RedisAdvancedClusterAsyncCommands<byte[], byte[]> cluster) {
            RedisClusterNode master = cluster.getStatefulConnection().getPartitions()
                    .getMasterBySlot(SlotHash.getSlot(slotKey));
            if (master == null) {
                throw new QueryTimeoutException("no master serves the namespace's slot now (failover under way?)");
            }
            return cluster.getConnection(master.getUri().getHost(), master.getUri().getPort())
                    .waitForReplication(replicas, timeoutMillis);
        }
        return async.waitForReplication(replicas, timeoutMillis);
    }

    private long await(CompletableFuture<Long> reply) {
        try {
            // WAIT answers by its own timeout; the extra second covers a reply delayed behind it
            return reply.get(timeoutMillis * 2 + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (String.valueOf(e.getCause().getMessage()).contains("WAIT cannot be used with replica")) {
                // the slot map is behind a failover: the write itself was redirected to the new master,
                // this WAIT went to the old one; the map is refreshed, and the client's retry confirms
                throw new NotReplicatedException(0, replicas);
            }
            throw SharedConnection.translate(e.getCause());
        } catch (TimeoutException e) {
            throw new QueryTimeoutException("Redis did not answer WAIT in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryTimeoutException("interrupted while waiting for replicas", e);
        }
    }

    /** Fewer replicas than {@code sluice.durability.replicas} acknowledged a write in time. */
    public static final class NotReplicatedException extends RuntimeException {

        private final long acknowledged;
        private final int required;

        NotReplicatedException(long acknowledged, int required) {
            super(acknowledged + " of the " + required + " required replicas acknowledged the write within "
                    + "sluice.durability.timeout");
            this.acknowledged = acknowledged;
            this.required = required;
        }

        public long acknowledged() {
            return acknowledged;
        }

        public int required() {
            return required;
        }
    }
}
