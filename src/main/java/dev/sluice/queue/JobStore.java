package dev.sluice.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;

/**
 * Puts jobs into Redis and reads them back (marking them watched when asked); records a running job's
 * progress. What is done to jobs afterwards is {@link JobOperations}; read-only views are
 * {@link QueueInspector}.
 */
@Component
public class JobStore {

    private final StringRedisTemplate redis;
    private final Partitions partitions;
    private final LuaScripts scripts;
    private final SluiceProperties properties;

    private final JobEvents events;
    private final Traces traces;
    private final Replication replication;

    @org.springframework.beans.factory.annotation.Autowired
    JobStore(StringRedisTemplate redis, Partitions partitions, SluiceProperties properties, JobEvents events,
            Traces traces, Replication replication) {
        this.redis = redis;
        this.replication = replication;
        this.partitions = partitions;
        this.scripts = partitions.scripts();
        this.properties = properties;
        this.events = events;
        this.traces = traces;
    }

    JobStore(StringRedisTemplate redis, Partitions partitions, SluiceProperties properties, JobEvents events) {
        this(redis, partitions, properties, events, Traces.NONE, new Replication(redis, partitions, properties));
    }

    /** Enqueues all the jobs or none, in one round trip; returns their creation time (Redis time). */
    public Instant enqueue(List<NewJob> jobs) {
        return ((Enqueue.Accepted) enqueue(jobs, Enqueue.Options.NONE)).createdAt();
    }

    /**
     * Enqueues all the jobs or none, in one round trip, after checking capacity and, when a key is
     * given, idempotency. They go to the partition their first id names (every id of one call, its
     * batch and its record name the same one: see {@link Partitions#place}); capacity is the
     * partition's share of {@code sluice.queues.*} (the limits divided by the partition count).
     *
     * @throws QueueFullException when the jobs would not fit; nothing was written
     * @throws Replication.NotReplicatedException when {@code sluice.durability.replicas} replicas did not
     *         acknowledge the jobs in time: they are queued on the master but may be lost in a failover
     */
    public Enqueue.Result enqueue(List<NewJob> jobs, Enqueue.Options options) {
        boolean idempotent = options.idempotencyKey() != null;
        boolean batch = options.batchId() != null;
        RedisKeys keys = jobs.isEmpty() ? partitions.home() : partitions.of(jobs.get(0).id());
        List<String> keyList = new ArrayList<>(11 + jobs.size());
        keyList.addAll(keys.queues());
        keyList.add(keys.scheduled());
        keyList.add(idempotent ? keys.idempotency(options.idempotencyScope(), options.idempotencyKey()) : keys.unused());
        keyList.add(batch ? keys.batch(options.batchId()) : keys.unused());
        keyList.add(batch ? keys.batchJobs(options.batchId()) : keys.unused());
        keyList.add(keys.retrying());
        Enqueue.Record record = options.record();
        keyList.add(record == null ? keys.unused() : record.hashKey());
        keyList.add(record == null ? keys.unused() : record.indexKey());
        keyList.add(record == null ? keys.unused() : record.listKey());
        SluiceProperties.Queues limits = properties.queues();
        List<String> args = new ArrayList<>(13 + jobs.size() * 11);
        args.add(keys.wakeChannel());
        args.add(Long.toString(share(limits.capacity())));
        args.add(Long.toString(share(limits.perPriority().high())));
        args.add(Long.toString(share(limits.perPriority().normal())));
        args.add(Long.toString(share(limits.perPriority().low())));
        args.add(idempotent ? options.ownerId() + "|" + options.fingerprint() : "");
        args.add(Long.toString(properties.idempotency().retention().toMillis()));
        args.add(batch ? options.batchId() : "");
        args.add(Long.toString(properties.batches().retention().toMillis()));
        args.add(keys.eventsChannel());
        args.add(events.firehose() ? "1" : "0");
        args.add(record == null ? "" : record.json());
        args.add(options.batchCallback() == null ? "" : options.batchCallback());
        args.add(traces.current());
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
            args.add(job.remote() ? job.type() : "");
            args.add(job.callback() == null ? "" : job.callback());
            args.add(job.key() == null ? "" : job.key());
        }
        List<?> reply = redis.execute(scripts.enqueue, keyList, args.toArray());
        return switch ((String) reply.get(0)) {
            case "ok" -> {
                partitions.added(keys.partition(), jobs.size());
                replication.confirm(keys);
                yield new Enqueue.Accepted(Instant.ofEpochMilli((Long) reply.get(1)));
            }
            case "duplicate" -> {
                replication.confirm(keys); // the first request's answer may have been the not-replicated 503
                String stored = (String) reply.get(1);
                int bar = stored.indexOf('|');
                yield new Enqueue.Duplicate(stored.substring(0, bar), stored.substring(bar + 1));
            }
            case "unknown-type" -> throw new UnknownRemoteTypeException((String) reply.get(1));
            default -> throw new QueueFullException((String) reply.get(1), (Long) reply.get(2), (Long) reply.get(3));
        };
    }

    /** A partition's share of a capacity limit (0, no limit, stays 0): the limit divided by the count, rounded up. */
    private long share(long limit) {
        return limit == 0 ? 0 : (limit + partitions.count() - 1) / partitions.count();
    }

    /**
     * Reads a job and marks it as waited for, so that its changes are announced on the events channel
     * (see {@link JobEvents#waitFor}); register first.
     */
    public Optional<Job> watch(String id) {
        return Optional.ofNullable(watchAll(List.of(id)).get(0));
    }

    /**
     * Marks jobs as waited for, like {@link #watchAll}, and reads only their states (null where a job
     * does not exist): what a batch's progress needs, without its jobs' payloads and results.
     */
    public List<JobState> watchStates(List<String> ids) {
        List<?> replies = watch(ids, "state");
        List<JobState> states = new ArrayList<>(ids.size());
        for (Object reply : replies) {
            List<?> pair = (List<?>) reply;
            states.add(pair.size() < 2 || pair.get(1) == null ? null : JobState.fromWire((String) pair.get(1)));
        }
        return states;
    }

    /** {@link #watch} for many jobs in one call; an entry is null where the job does not exist. */
    public List<Job> watchAll(List<String> ids) {
        List<?> replies = watch(ids);
        List<Job> jobs = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            List<?> flat = (List<?>) replies.get(i);
            Map<Object, Object> hash = new java.util.HashMap<>();
            for (int f = 0; f + 1 < flat.size(); f += 2) {
                hash.put(flat.get(f), flat.get(f + 1));
            }
            jobs.add(hash.isEmpty() ? null : JobHashes.toJob(ids.get(i), hash));
        }
        return jobs;
    }

    /**
     * watch.lua over jobs that may live in several partitions: one call per partition (a script's keys
     * must share a slot), the replies put back in the order of {@code ids}.
     */
    private List<?> watch(List<String> ids, String... field) {
        if (!partitions.partitioned()) {
            return redis.execute(scripts.watch, ids.stream().map(partitions.home()::job).toList(), (Object[]) field);
        }
        java.util.Map<Integer, List<Integer>> byPartition = new java.util.TreeMap<>();
        for (int i = 0; i < ids.size(); i++) {
            byPartition.computeIfAbsent(partitions.partitionOf(ids.get(i)), p -> new ArrayList<>()).add(i);
        }
        Object[] replies = new Object[ids.size()];
        byPartition.forEach((p, indexes) -> {
            RedisKeys keys = partitions.get(p);
            List<?> part = redis.execute(scripts.watch, indexes.stream().map(i -> keys.job(ids.get(i))).toList(),
                    (Object[]) field);
            for (int i = 0; i < indexes.size(); i++) {
                replies[indexes.get(i)] = part.get(i);
            }
        });
        return java.util.Arrays.asList(replies);
    }

    /**
     * Records a running job's progress, if {@code attempt} is still its current delivery.
     *
     * @return whether it was recorded
     */
    public boolean progress(String id, int attempt, int percent, String message) {
        RedisKeys keys = partitions.of(id);
        Long recorded = redis.execute(scripts.progress, List.of(keys.job(id)), Integer.toString(attempt),
                Integer.toString(Math.max(0, Math.min(100, percent))), message == null ? "" : message,
                keys.eventsChannel(), events.firehose() ? "1" : "0", id);
        return recorded != null && recorded == 1L;
    }

    public Optional<Job> find(String id) {
        Map<Object, Object> hash = redis.opsForHash().entries(partitions.of(id).job(id));
        return hash.isEmpty() ? Optional.empty() : Optional.of(JobHashes.toJob(id, hash));
    }
}
