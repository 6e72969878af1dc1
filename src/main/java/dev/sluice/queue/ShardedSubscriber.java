package dev.sluice.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Sharded pub/sub on a Redis Cluster ({@code SSUBSCRIBE}): each slot's channels are subscribed on the
 * master that serves the slot, over a connection of this class's own per master, and followed when the
 * slot moves (a failover, a resharding). Lettuce's own sharded subscriptions stay on the node they were
 * made on after a failover (redis/lettuce#3213), so the node would go deaf to its partitions' wake-ups
 * and job events for good.
 *
 * <p>Every second, and at once when something changed (a connection dropped, Redis unsubscribed us
 * because the slot left the node, a subscribe failed), each slot's master is looked up in the cluster
 * client's slot map and its channels subscribed there if they are not yet; a failed subscribe asks the
 * client to refresh its slot map. Connections no slot uses are closed, so a dead master's connection
 * does not try to reconnect for ever. Messages published while a slot had no subscription are lost,
 * as with classic pub/sub during a disconnect: after each (re)subscription {@link #onSubscribed} is
 * told, so the dispatcher can look at those partitions at once instead of at its next idle poll.
 */
final class ShardedSubscriber implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ShardedSubscriber.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REFRESH_AT_MOST_EVERY = Duration.ofSeconds(1);

    private final LettuceConnectionFactory factory;
    private final Map<String, List<BiConsumer<String, String>>> listeners = new HashMap<>();
    private final List<Consumer<Collection<String>>> subscribedListeners = new CopyOnWriteArrayList<>();
    /** Channels by slot: each slot's channels are subscribed together, on its master. */
    private final Map<Integer, List<String>> bySlot = new TreeMap<>();
    /** Where each slot's channels are subscribed now (host:port); absent: nowhere. */
    private final Map<Integer, String> subscribedAt = new ConcurrentHashMap<>();
    /** This class's connections, by host:port; touched by the reconciling thread only. */
    private final Map<String, StatefulRedisPubSubConnection<String, String>> connections = new HashMap<>();
    private final AtomicBoolean pending = new AtomicBoolean();
    private volatile ScheduledExecutorService worker;
    private volatile RedisClusterClient cluster;
    private volatile RedisClient nodes;
    private volatile long lastRefresh;

    ShardedSubscriber(LettuceConnectionFactory factory) {
        this.factory = factory;
    }

    /** Hears {@code channels} (before {@link #start}); {@code listener} gets channel and message, quickly. */
    void listen(Collection<String> channels, BiConsumer<String, String> listener) {
        for (String channel : channels) {
            listeners.computeIfAbsent(channel, unused -> new CopyOnWriteArrayList<>()).add(listener);
            List<String> same = bySlot.computeIfAbsent(SlotHash.getSlot(channel), unused -> new ArrayList<>());
            if (!same.contains(channel)) {
                same.add(channel);
            }
        }
    }

    /** Runs {@code listener} with a slot's channels each time they are (re)subscribed. */
    void onSubscribed(Consumer<Collection<String>> listener) {
        subscribedListeners.add(listener);
    }

    @Override
    public synchronized void start() {
        if (worker != null) {
            return;
        }
        cluster = (RedisClusterClient) factory.getRequiredNativeClient();
        nodes = RedisClient.create(cluster.getResources());
        nodes.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).build())
                .build());
        nodes.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                forget(connection);
            }
        });
        worker = Executors.newSingleThreadScheduledExecutor(new CustomizableThreadFactory("sluice-pubsub-"));
        worker.scheduleWithFixedDelay(this::reconcile, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        ScheduledExecutorService running = worker;
        if (running == null) {
            return;
        }
        worker = null;
        running.shutdownNow();
        try {
            running.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.values().forEach(StatefulRedisPubSubConnection::closeAsync);
        connections.clear();
        subscribedAt.clear();
        nodes.shutdownAsync(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public boolean isRunning() {
        return worker != null;
    }

    /** Reconciles soon, on the worker thread (at most one waiting request at a time). */
    private void soon() {
        ScheduledExecutorService running = worker;
        if (running != null && pending.compareAndSet(false, true)) {
            try {
                running.execute(() -> {
                    pending.set(false);
                    reconcile();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                pending.set(false); // stopping
            }
        }
    }

    /** A dropped connection: its slots are subscribed nowhere until the next reconcile says otherwise. */
    private void forget(RedisChannelHandler<?, ?> connection) {
        Map<String, StatefulRedisPubSubConnection<String, String>> open = connectionsView();
        subscribedAt.entrySet().removeIf(entry -> {
            StatefulRedisPubSubConnection<String, String> at = open.get(entry.getValue());
            return at == null || at == connection;
        });
        soon();
    }

    private Map<String, StatefulRedisPubSubConnection<String, String>> connectionsView() {
        synchronized (connections) {
            return Map.copyOf(connections);
        }
    }

    private void reconcile() {
        try {
            Map<String, String> wanted = new HashMap<>();
            for (Map.Entry<Integer, List<String>> slot : bySlot.entrySet()) {
                RedisClusterNode master = cluster.getPartitions().getMasterBySlot(slot.getKey());
                if (master == null) {
                    refresh(); // no master known for the slot: a failover under way
                    continue;
                }
                String at = address(master.getUri());
                wanted.put(at, at);
                if (at.equals(subscribedAt.get(slot.getKey()))) {
                    continue;
                }
                subscribe(slot.getKey(), slot.getValue(), at, master.getUri());
            }
            closeUnused(wanted.keySet());
        } catch (RuntimeException e) {
            log.debug("Sharded subscriptions not reconciled now; next try in {}", TICK, e);
        }
    }

    private void subscribe(int slot, List<String> channels, String at, RedisURI uri) {
        String before = subscribedAt.get(slot);
        try {
            StatefulRedisPubSubConnection<String, String> connection = connection(at, uri);
            connection.async().ssubscribe(channels.toArray(String[]::new))
                    .get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            subscribedAt.put(slot, at);
            if (before != null) {
                log.info("Sharded pub/sub of slot {} moved from {} to {}", slot, before, at);
                StatefulRedisPubSubConnection<String, String> old = connectionsView().get(before);
                if (old != null && old.isOpen()) {
                    old.async().sunsubscribe(channels.toArray(String[]::new)); // best effort: it may be gone
                }
            }
            subscribedListeners.forEach(listener -> listener.accept(channels));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("SSUBSCRIBE of slot {} at {} failed; the slot map is refreshed", slot, at, e);
            refresh();
        }
    }

    private StatefulRedisPubSubConnection<String, String> connection(String at, RedisURI uri) {
        StatefulRedisPubSubConnection<String, String> existing = connectionsView().get(at);
        if (existing != null) {
            return existing;
        }
        StatefulRedisPubSubConnection<String, String> made = nodes.connectPubSub(StringCodec.UTF8, uri);
        made.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void smessage(String channel, String message) {
                List<BiConsumer<String, String>> hearing = listeners.get(channel);
                if (hearing != null) {
                    hearing.forEach(listener -> listener.accept(channel, message));
                }
            }

            @Override
            public void sunsubscribed(String channel, long count) {
                // Redis unsubscribes us itself when the slot leaves this node; ours (after a move) finds
                // the slot subscribed elsewhere and changes nothing
                int slot = SlotHash.getSlot(channel);
                if (at.equals(subscribedAt.get(slot)) && subscribedAt.remove(slot, at)) {
                    soon();
                }
            }
        });
        synchronized (connections) {
            connections.put(at, made);
        }
        return made;
    }

    private void closeUnused(Collection<String> wanted) {
        List<String> unused = new ArrayList<>();
        synchronized (connections) {
            for (String at : connections.keySet()) {
                if (!wanted.contains(at) && !subscribedAt.containsValue(at)) {
                    unused.add(at);
                }
            }
            unused.forEach(at -> connections.remove(at).closeAsync());
        }
    }

    private void refresh() {
        long now = System.nanoTime();
        if (now - lastRefresh >= REFRESH_AT_MOST_EVERY.toNanos()) {
            lastRefresh = now;
            cluster.refreshPartitionsAsync();
        }
    }

    private static String address(RedisURI uri) {
        return Objects.requireNonNull(uri.getHost()) + ":" + uri.getPort();
    }
}
