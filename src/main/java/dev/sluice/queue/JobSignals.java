package dev.sluice.queue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * The node's ear on Redis pub/sub: wakes the dispatcher when work arrives and tells it which running
 * jobs to interrupt. (Job events, and the requests waiting on them, are {@link JobEvents}'.) Classic
 * pub/sub through Spring's listener container, or sharded pub/sub on a cluster ({@link ShardedSubscriber}).
 */
@Component
public class JobSignals {

    /** Classic pub/sub: Spring's listener container; null when sharded. */
    private final RedisMessageListenerContainer container;
    /** Sharded pub/sub on a cluster; null when classic. */
    private final ShardedSubscriber sharded;
    private final List<Runnable> wakeListeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.IntConsumer> partitionWakeListeners = new CopyOnWriteArrayList<>();
    private final java.util.Map<String, Integer> wakePartition = new java.util.HashMap<>();
    private final List<Consumer<String>> cancelListeners = new CopyOnWriteArrayList<>();

    JobSignals(RedisConnectionFactory connections, Partitions partitions) {
        partitions.all().forEach(keys -> wakePartition.put(keys.wakeChannel(), keys.partition()));
        if (partitions.sharded()) {
            this.container = null;
            this.sharded = new ShardedSubscriber((LettuceConnectionFactory) connections);
            // a wake-up published while a slot had no subscription is lost: look at its partitions now
            sharded.onSubscribed(channels -> channels.forEach(this::wake));
        } else {
            this.sharded = null;
            this.container = new RedisMessageListenerContainer();
            container.setConnectionFactory(connections);
            // Listeners only flip a flag or complete a future, so run them where the message arrives: one
            // thread hand-off less between an enqueue and the job's start.
            container.setTaskExecutor(new SyncTaskExecutor());
        }
        listen(partitions.all().stream().map(RedisKeys::wakeChannel).toList(), (channel, body) -> wake(channel));
        listen(partitions.all().stream().map(RedisKeys::cancelChannel).toList(),
                (channel, id) -> cancelListeners.forEach(listener -> listener.accept(id)));
    }

    private void wake(String channel) {
        Integer partition = wakePartition.get(channel);
        if (partition != null) {
            partitionWakeListeners.forEach(listener -> listener.accept(partition));
            wakeListeners.forEach(Runnable::run);
        }
    }

    /**
     * Hears {@code channels} (registered before the subscription starts) over classic or sharded pub/sub,
     * whichever this deployment uses; {@code listener} gets channel and message on the subscriber thread.
     */
    void listen(List<String> channels, BiConsumer<String, String> listener) {
        if (sharded != null) {
            sharded.listen(channels, listener);
        } else {
            container.addMessageListener((message, pattern) -> listener.accept(
                    new String(message.getChannel(), StandardCharsets.UTF_8),
                    new String(message.getBody(), StandardCharsets.UTF_8)),
                    channels.stream().map(ChannelTopic::new).toList());
        }
    }

    /** What Spring starts and stops: the listener container, or the sharded subscriber. */
    SmartLifecycle subscription() {
        return sharded != null ? sharded : container;
    }

    /** Runs {@code listener} (on the subscriber thread, so it must be quick) whenever work arrives. */
    public void onWake(Runnable listener) {
        wakeListeners.add(listener);
    }

    /** Runs {@code listener} (quickly, on the subscriber thread) with the partition whose work arrived. */
    public void onPartitionWake(java.util.function.IntConsumer listener) {
        partitionWakeListeners.add(listener);
    }

    /** Runs {@code listener} with the id of every running job whose cancel was requested, on any node. */
    public void onCancel(Consumer<String> listener) {
        cancelListeners.add(listener);
    }
}
