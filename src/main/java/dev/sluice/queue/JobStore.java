package dev.sluice.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/** Puts jobs into Redis and reads single jobs back. */
@Component
public class JobStore {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    JobStore(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Enqueues all the jobs or none, in one round trip; returns their creation time (Redis time). */
    public Instant enqueue(List<NewJob> jobs) {
        List<String> keyList = new ArrayList<>(keys.queues());
        List<String> args = new ArrayList<>(1 + jobs.size() * 6);
        args.add(keys.wakeChannel());
        for (NewJob job : jobs) {
            keyList.add(keys.job(job.id()));
            args.add(job.id());
            args.add(job.priority().wire());
            args.add(job.type());
            args.add(job.payload());
            args.add(Integer.toString(job.maxAttempts()));
            args.add(Long.toString(job.timeout().toMillis()));
        }
        Long createdAt = redis.execute(LuaScripts.ENQUEUE, keyList, args.toArray());
        return Instant.ofEpochMilli(createdAt);
    }

    /**
     * Cancels a job: at once when it waits, by interrupting its worker when it runs.
     *
     * @return the job's state after the call and whether this call changed it ({@code RUNNING} and
     *         changed: the interruption is under way), or empty when there is no such job
     */
    public Optional<Cancel> cancel(String id, Duration retention) {
        List<String> keyList = new ArrayList<>(5);
        keyList.add(keys.job(id));
        keyList.addAll(keys.queues());
        keyList.add(keys.delayed());
        List<?> reply = redis.execute(LuaScripts.CANCEL, keyList, id, Long.toString(retention.toMillis()),
                keys.finishedChannel(), keys.cancelChannel());
        return reply == null || reply.isEmpty() || reply.get(0) == null ? Optional.empty()
                : Optional.of(new Cancel(JobState.fromWire((String) reply.get(0)), ((Long) reply.get(1)) == 1L));
    }

    /** @param changed whether this call cancelled the job or asked its worker to stop */
    public record Cancel(JobState state, boolean changed) {
    }

    /**
     * Queues a dead, failed or cancelled job again, as new.
     *
     * @return {@code QUEUED} when it was queued, the unchanged state when it cannot be retried, or empty
     *         when there is no such job
     */
    public Optional<JobState> retry(String id) {
        List<String> keyList = new ArrayList<>(5);
        keyList.add(keys.job(id));
        keyList.addAll(keys.queues());
        keyList.add(keys.dead());
        String state = redis.execute(LuaScripts.RETRY, keyList, id, keys.wakeChannel());
        return Optional.ofNullable(state).map(JobState::fromWire);
    }

    /**
     * Reads a job and marks it as waited for, so that its finish is announced on the finished channel
     * (see {@link JobSignals#whenFinished}); register the future first.
     */
    public Optional<Job> watch(String id) {
        List<?> flat = redis.execute(LuaScripts.WATCH, List.of(keys.job(id)));
        if (flat == null || flat.isEmpty()) {
            return Optional.empty();
        }
        Map<Object, Object> hash = new java.util.HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            hash.put(flat.get(i), flat.get(i + 1));
        }
        return Optional.of(toJob(id, hash));
    }

    public Optional<Job> find(String id) {
        Map<Object, Object> hash = redis.opsForHash().entries(keys.job(id));
        return hash.isEmpty() ? Optional.empty() : Optional.of(toJob(id, hash));
    }

    static Job toJob(String id, Map<Object, Object> hash) {
        return new Job(
                id,
                (String) hash.get("type"),
                Priority.fromWire((String) hash.get("priority")),
                JobState.fromWire((String) hash.get("state")),
                (String) hash.get("payload"),
                (String) hash.get("result"),
                (String) hash.get("error"),
                (String) hash.get("errorType"),
                integer(hash.get("attempts")),
                integer(hash.get("maxAttempts")),
                Duration.ofMillis(integer(hash.get("timeoutMs"))),
                instant(hash.get("createdAt")),
                instant(hash.get("startedAt")),
                instant(hash.get("finishedAt")),
                (String) hash.get("node"),
                "1".equals(hash.get("cancelRequested")));
    }

    private static int integer(Object value) {
        return value == null ? 0 : Integer.parseInt((String) value);
    }

    private static Instant instant(Object millis) {
        return millis == null ? null : Instant.ofEpochMilli(Long.parseLong((String) millis));
    }
}
