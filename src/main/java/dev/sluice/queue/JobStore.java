package dev.sluice.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;

/** Puts jobs into Redis and reads single jobs back. */
@Component
public class JobStore {

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final SluiceProperties properties;

    private final JobEvents events;

    JobStore(StringRedisTemplate redis, RedisKeys keys, SluiceProperties properties, JobEvents events) {
        this.redis = redis;
        this.keys = keys;
        this.properties = properties;
        this.events = events;
    }

    /** Enqueues all the jobs or none, in one round trip; returns their creation time (Redis time). */
    public Instant enqueue(List<NewJob> jobs) {
        return ((Enqueue.Accepted) enqueue(jobs, Enqueue.Options.NONE)).createdAt();
    }

    /**
     * Enqueues all the jobs or none, in one round trip, after checking capacity and, when a key is
     * given, idempotency.
     *
     * @throws QueueFullException when the jobs would not fit; nothing was written
     */
    public Enqueue.Result enqueue(List<NewJob> jobs, Enqueue.Options options) {
        boolean idempotent = options.idempotencyKey() != null;
        boolean batch = options.batchId() != null;
        List<String> keyList = new ArrayList<>(11 + jobs.size());
        keyList.addAll(keys.queues());
        keyList.add(keys.scheduled());
        keyList.add(idempotent ? keys.idempotency(options.idempotencyScope(), options.idempotencyKey()) : keys.unused());
        keyList.add(batch ? keys.batch(options.batchId()) : keys.unused());
        keyList.add(batch ? keys.batchJobs(options.batchId()) : keys.unused());
        keyList.add(keys.delayed());
        Enqueue.Record record = options.record();
        keyList.add(record == null ? keys.unused() : record.hashKey());
        keyList.add(record == null ? keys.unused() : record.indexKey());
        keyList.add(record == null ? keys.unused() : record.listKey());
        SluiceProperties.Queues limits = properties.queues();
        List<String> args = new ArrayList<>(12 + jobs.size() * 8);
        args.add(keys.wakeChannel());
        args.add(Long.toString(limits.capacity()));
        args.add(Long.toString(limits.perPriority().high()));
        args.add(Long.toString(limits.perPriority().normal()));
        args.add(Long.toString(limits.perPriority().low()));
        args.add(idempotent ? options.ownerId() + "|" + options.fingerprint() : "");
        args.add(Long.toString(properties.idempotency().retention().toMillis()));
        args.add(batch ? options.batchId() : "");
        args.add(Long.toString(properties.batches().retention().toMillis()));
        args.add(keys.eventsChannel());
        args.add(events.firehose() ? "1" : "0");
        args.add(record == null ? "" : record.json());
        for (NewJob job : jobs) {
            keyList.add(keys.job(job.id()));
            args.add(job.id());
            args.add(job.priority().wire());
            args.add(job.type());
            args.add(job.payload());
            args.add(Integer.toString(job.maxAttempts()));
            args.add(Long.toString(job.timeout().toMillis()));
            args.add(job.runAt() != null ? "@" + job.runAt().toEpochMilli() : Long.toString(Math.max(0, job.delay().toMillis())));
            args.add(job.owner() == null ? "" : job.owner());
        }
        List<?> reply = redis.execute(LuaScripts.ENQUEUE, keyList, args.toArray());
        return switch ((String) reply.get(0)) {
            case "ok" -> new Enqueue.Accepted(Instant.ofEpochMilli((Long) reply.get(1)));
            case "duplicate" -> {
                String stored = (String) reply.get(1);
                int bar = stored.indexOf('|');
                yield new Enqueue.Duplicate(stored.substring(0, bar), stored.substring(bar + 1));
            }
            default -> throw new QueueFullException((String) reply.get(1), (Long) reply.get(2), (Long) reply.get(3));
        };
    }

    /**
     * Cancels a job: at once when it waits, by interrupting its worker when it runs.
     *
     * @return the job's state after the call and whether this call changed it ({@code RUNNING} and
     *         changed: the interruption is under way), or empty when there is no such job
     */
    public Optional<Cancel> cancel(String id, Duration retention) {
        List<String> keyList = new ArrayList<>(6);
        keyList.add(keys.job(id));
        keyList.addAll(keys.queues());
        keyList.add(keys.delayed());
        keyList.add(keys.scheduled());
        List<?> reply = redis.execute(LuaScripts.CANCEL, keyList, id, Long.toString(retention.toMillis()),
                keys.cancelChannel(), keys.eventsChannel());
        return reply == null || reply.isEmpty() || reply.get(0) == null ? Optional.empty()
                : Optional.of(new Cancel(JobState.fromWire((String) reply.get(0)), ((Long) reply.get(1)) == 1L));
    }

    /** @param changed whether this call cancelled the job or asked its worker to stop */
    public record Cancel(JobState state, boolean changed) {
    }

    /**
     * @param requeued whether this call queued the job again
     * @param state    the job's state after the call (unchanged when it could not be retried)
     */
    public record Retry(boolean requeued, JobState state) {
    }

    /**
     * Queues a dead, failed or cancelled job again, as new.
     *
     * @return whether it was queued and its state, or empty when there is no such job
     */
    public Optional<Retry> retry(String id) {
        List<String> keyList = new ArrayList<>(5);
        keyList.add(keys.job(id));
        keyList.addAll(keys.queues());
        keyList.add(keys.dead());
        String state = redis.execute(LuaScripts.RETRY, keyList, id, keys.wakeChannel(), keys.eventsChannel());
        if (state == null) {
            return Optional.empty();
        }
        return Optional.of(state.equals("requeued") ? new Retry(true, JobState.QUEUED)
                : new Retry(false, JobState.fromWire(state)));
    }

    /**
     * Reads a job and marks it as waited for, so that its changes are announced on the events channel
     * (see {@link JobEvents#waitFor}); register first.
     */
    public Optional<Job> watch(String id) {
        return Optional.ofNullable(watchAll(List.of(id)).get(0));
    }

    /** {@link #watch} for many jobs in one call; an entry is null where the job does not exist. */
    public List<Job> watchAll(List<String> ids) {
        List<?> replies = redis.execute(LuaScripts.WATCH, ids.stream().map(keys::job).toList());
        List<Job> jobs = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            List<?> flat = (List<?>) replies.get(i);
            Map<Object, Object> hash = new java.util.HashMap<>();
            for (int f = 0; f + 1 < flat.size(); f += 2) {
                hash.put(flat.get(f), flat.get(f + 1));
            }
            jobs.add(hash.isEmpty() ? null : toJob(ids.get(i), hash));
        }
        return jobs;
    }

    /** Stops every node from taking jobs of this priority until {@link #resume}; queued jobs stay queued. */
    public void pause(Priority priority) {
        redis.opsForSet().add(keys.paused(), priority.wire());
    }

    /** Lets nodes take jobs of this priority again, and wakes them. */
    public void resume(Priority priority) {
        redis.opsForSet().remove(keys.paused(), priority.wire());
        redis.convertAndSend(keys.wakeChannel(), "resumed");
    }

    /** The priorities paused now. */
    public java.util.Set<Priority> paused() {
        java.util.Set<String> names = redis.opsForSet().members(keys.paused());
        java.util.Set<Priority> paused = java.util.EnumSet.noneOf(Priority.class);
        if (names != null) {
            names.forEach(name -> paused.add(Priority.fromWire(name)));
        }
        return paused;
    }

    /**
     * Removes a dead job for good (its record and its dead-letter entry).
     *
     * @return {@code DEAD} when it was removed; the job's state, unchanged, when it is not dead; empty
     *         when there is no such job
     */
    public Optional<JobState> purgeDead(String id) {
        String state = redis.execute(LuaScripts.PURGE, List.of(keys.job(id), keys.dead()), id);
        return Optional.ofNullable(state).map(JobState::fromWire);
    }

    /** Up to {@code limit} dead job ids, oldest first. */
    public List<String> deadIds(int limit) {
        java.util.Set<String> ids = redis.opsForZSet().range(keys.dead(), 0, limit - 1L);
        return ids == null ? List.of() : List.copyOf(ids);
    }

    /** Who submitted a batch (the API key name), or null. */
    public String batchOwner(String batchId) {
        return (String) redis.opsForHash().get(keys.batch(batchId), "owner");
    }

    /** The ids of a batch's jobs, in submission order; empty when there is no such batch. */
    public List<String> batchMembers(String batchId) {
        List<String> ids = redis.opsForList().range(keys.batchJobs(batchId), 0, -1);
        return ids == null ? List.of() : ids;
    }

    /**
     * Records a running job's progress, if {@code attempt} is still its current delivery.
     *
     * @return whether it was recorded
     */
    public boolean progress(String id, int attempt, int percent, String message) {
        Long recorded = redis.execute(LuaScripts.PROGRESS, List.of(keys.job(id)), Integer.toString(attempt),
                Integer.toString(Math.max(0, Math.min(100, percent))), message == null ? "" : message,
                keys.eventsChannel(), events.firehose() ? "1" : "0");
        return recorded != null && recorded == 1L;
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
                Duration.ofMillis(number(hash.get("timeoutMs"))),
                instant(hash.get("createdAt")),
                instant(hash.get("startedAt")),
                instant(hash.get("finishedAt")),
                instant(hash.get("runAt")),
                (String) hash.get("node"),
                "1".equals(hash.get("cancelRequested")),
                (String) hash.get("batch"),
                hash.get("progress") == null ? null : Integer.valueOf((String) hash.get("progress")),
                (String) hash.get("progressMessage"),
                (String) hash.get("owner"));
    }

    private static int integer(Object value) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, number(value)));
    }

    /** A stored count or amount; a value that no longer parses reads as 0 rather than failing every listing. */
    private static long number(Object value) {
        try {
            return value == null ? 0 : Long.parseLong((String) value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Instant instant(Object millis) {
        return millis == null ? null : Instant.ofEpochMilli(Long.parseLong((String) millis));
    }
}
