package dev.sluice.queue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * The node's ear on Redis pub/sub: wakes the dispatcher when work arrives and tells it which running
 * jobs to interrupt. (Job events, and the requests waiting on them, are {@link JobEvents}'.)
 */
@Component
public class JobSignals {

    private final RedisMessageListenerContainer container;
    private final List<Runnable> wakeListeners = new CopyOnWriteArrayList<>();
    private final List<java.util.function.IntConsumer> partitionWakeListeners = new CopyOnWriteArrayList<>();
    private final java.util.Map<String, Integer> wakePartition = new java.util.HashMap<>();
    private final List<Consumer<String>> cancelListeners = new CopyOnWriteArrayList<>();

    JobSignals(RedisConnectionFactory connections, Partitions partitions) {
        this.container = new RedisMessageListenerContainer();
        container.setConnectionFactory(connections);
        // Listeners only flip a flag or complete a future, so run them where the message arrives: one
        // thread hand-off less between an enqueue and the job's start.
        container.setTaskExecutor(new SyncTaskExecutor());
        partitions.all().forEach(keys -> wakePartition.put(keys.wakeChannel(), keys.partition()));
        container.addMessageListener((message, pattern) -> {
            Integer partition = wakePartition.get(new String(message.getChannel(), StandardCharsets.UTF_8));
            if (partition != null) {
                partitionWakeListeners.forEach(listener -> listener.accept(partition));
            }
            wakeListeners.forEach(Runnable::run);
        }, partitions.all().stream().map(keys -> new ChannelTopic(keys.wakeChannel())).toList());
        container.addMessageListener((message, pattern) -> {
            String id = new String(message.getBody(), StandardCharsets.UTF_8);
            cancelListeners.forEach(listener -> listener.accept(id));
        }, partitions.all().stream().map(keys -> new ChannelTopic(keys.cancelChannel())).toList());
    }

    RedisMessageListenerContainer container() {
        return container;
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
