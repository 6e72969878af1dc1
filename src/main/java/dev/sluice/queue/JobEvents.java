package dev.sluice.queue;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Job state changes as they happen, for server-sent event streams and for requests waiting for jobs
 * to finish. The scripts announce a change on
 * the events channel only when someone listens: for a job that is watched ({@link JobStore#watch}),
 * or for every job while the firehose is on. A node with a client of the all-jobs stream keeps the
 * firehose key alive in Redis; every node reads it once a second and tells its scripts, so a new
 * all-jobs stream sees every node's events within about a second.
 */
@Component
public class JobEvents implements SmartLifecycle {

    private static final Duration REFRESH = Duration.ofSeconds(1);
    private static final Duration PRESENCE = Duration.ofSeconds(5);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final JsonMapper json;
    private final Map<String, List<Consumer<JsonNode>>> byJob = new ConcurrentHashMap<>();
    private final List<Consumer<JsonNode>> everything = new CopyOnWriteArrayList<>();
    /** Per job, one future per waiting request: each request releases only its own. */
    private final Map<String, Set<CompletableFuture<Void>>> finishes = new ConcurrentHashMap<>();
    private final AtomicInteger streams = new AtomicInteger();
    private volatile boolean firehose;
    private final TaskScheduler scheduler;
    private volatile ScheduledFuture<?> refreshing;

    JobEvents(StringRedisTemplate redis, Partitions partitions, JsonMapper json, JobSignals signals,
            TaskScheduler scheduler) {
        this.scheduler = scheduler;
        this.redis = redis;
        this.keys = partitions.home();
        this.json = json;
        // every partition announces its jobs on its own channel
        signals.listen(partitions.all().stream().map(RedisKeys::eventsChannel).toList(),
                (channel, message) -> dispatch(message));
    }

    /** Whether scripts should announce every job's changes, not only watched jobs'. */
    public boolean firehose() {
        return firehose;
    }

    /** Listens to one job's events; returns what stops listening. Watch the job too. */
    public Runnable onJob(String id, Consumer<JsonNode> listener) {
        byJob.computeIfAbsent(id, unused -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> byJob.computeIfPresent(id, (unused, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    /**
     * Registers for the end of these jobs; read them with {@link JobStore#watch} next (only watched
     * jobs are announced), then wait with {@link FinishWaiter#until} or let go with
     * {@link FinishWaiter#cancel}.
     */
    public FinishWaiter waitFor(Collection<String> ids) {
        Map<String, CompletableFuture<Void>> mine = new LinkedHashMap<>();
        for (String id : ids) {
            CompletableFuture<Void> future = new CompletableFuture<>();
            finishes.computeIfAbsent(id, unused -> ConcurrentHashMap.newKeySet()).add(future);
            mine.put(id, future);
        }
        return new FinishWaiter(mine, this::release);
    }

    private void release(String id, CompletableFuture<Void> future) {
        finishes.computeIfPresent(id, (unused, waiting) -> {
            waiting.remove(future);
            return waiting.isEmpty() ? null : waiting;
        });
    }

    /** Listens to every job's events (turns the firehose on); returns what stops listening. */
    public Runnable onEverything(Consumer<JsonNode> listener) {
        everything.add(listener);
        streams.incrementAndGet();
        refresh();
        return () -> {
            if (everything.remove(listener)) {
                streams.decrementAndGet();
            }
        };
    }

    private void dispatch(String message) {
        for (JsonNode event : json.readTree(message)) {
            String id = event.path("id").asString();
            String state = event.path("state").asString();
            if (!state.isEmpty() && JobState.fromWire(state).isFinal()) {
                Set<CompletableFuture<Void>> waiting = finishes.remove(id);
                if (waiting != null) {
                    waiting.forEach(future -> future.complete(null));
                }
            }
            List<Consumer<JsonNode>> listeners = byJob.get(id);
            if (listeners != null) {
                listeners.forEach(listener -> listener.accept(event));
            }
            everything.forEach(listener -> listener.accept(event));
        }
    }

    private void refresh() {
        try {
            if (streams.get() > 0) {
                redis.opsForValue().set(keys.firehose(), "1", PRESENCE);
                firehose = true;
            } else {
                firehose = Boolean.TRUE.equals(redis.hasKey(keys.firehose()));
            }
        } catch (RuntimeException e) {
            // Redis away: keep the last answer; the dispatcher reports the outage
        }
    }

    @Override
    public void start() {
        refreshing = scheduler.scheduleWithFixedDelay(this::refresh, REFRESH);
    }

    @Override
    public void stop() {
        refreshing.cancel(true);
        refreshing = null;
    }

    @Override
    public boolean isRunning() {
        return refreshing != null;
    }
}
