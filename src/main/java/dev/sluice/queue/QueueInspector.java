package dev.sluice.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.lettuce.core.RedisFuture;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations.TypedTuple;
import org.springframework.stereotype.Component;

/** Read-only views of the queues, nodes and jobs; never writes. */
@Component
public class QueueInspector {

    /** The states a job listing can be asked for: each is kept in a list or set of its own. */
    public static final Set<JobState> LISTABLE = Set.of(JobState.SCHEDULED, JobState.QUEUED, JobState.RUNNING,
            JobState.RETRYING, JobState.DEAD);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;

    QueueInspector(StringRedisTemplate redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    public QueueStats stats() {
        List<TypedTuple<String>> nodes = nodes();
        // One script, so the snapshot is atomic: no claim or completion lands between reading a node's
        // free tokens and its leases, and free + running = pool holds in what we report.
        List<String> keyList = new ArrayList<>(6 + nodes.size() * 3);
        keyList.addAll(keys.queues());
        keyList.add(keys.retrying());
        keyList.add(keys.dead());
        keyList.add(keys.scheduled());
        for (TypedTuple<String> node : nodes) {
            keyList.add(keys.node(node.getValue()));
            keyList.add(keys.freeWorkers(node.getValue()));
            keyList.add(keys.leases(node.getValue()));
        }
        List<?> replies = redis.execute(LuaScripts.STATS, keyList);
        Map<Priority, Long> depths = new EnumMap<>(Priority.class);
        for (Priority priority : Priority.values()) {
            depths.put(priority, (Long) replies.get(priority.ordinal()));
        }
        List<QueueStats.NodeStats> nodeStats = new ArrayList<>(nodes.size());
        long running = 0;
        for (int i = 0; i < nodes.size(); i++) {
            int at = 6 + i * 3;
            String poolSize = (String) replies.get(at);
            long nodeRunning = (Long) replies.get(at + 2);
            running += nodeRunning;
            nodeStats.add(new QueueStats.NodeStats(nodes.get(i).getValue(),
                    poolSize == null ? 0 : Integer.parseInt(poolSize), (Long) replies.get(at + 1), nodeRunning,
                    Instant.ofEpochMilli(nodes.get(i).getScore().longValue())));
        }
        return new QueueStats(depths, running, (Long) replies.get(5), (Long) replies.get(3), (Long) replies.get(4),
                nodeStats);
    }

    /**
     * One page of the jobs in a state: queued in the order they will run (high first), running by
     * node, scheduled and retrying soonest due first, dead most recent first.
     */
    public Page list(JobState state, long offset, int limit) {
        if (!LISTABLE.contains(state)) {
            throw new IllegalArgumentException("cannot list " + state);
        }
        List<String> ids = new ArrayList<>();
        long total = switch (state) {
            case QUEUED -> window(ids, offset, limit, keys.queues(), true);
            case RUNNING -> window(ids, offset, limit,
                    nodes().stream().map(n -> keys.leases(n.getValue())).toList(), false);
            case RETRYING -> window(ids, offset, limit, List.of(keys.retrying()), false);
            case SCHEDULED -> window(ids, offset, limit, List.of(keys.scheduled()), false);
            default -> {
                Set<String> page = redis.opsForZSet().reverseRange(keys.dead(), offset, offset + limit - 1);
                ids.addAll(page == null ? List.of() : page);
                yield zero(redis.opsForZSet().zCard(keys.dead()));
            }
        };
        List<Job> jobs = new ArrayList<>(jobs(ids));
        jobs.removeIf(java.util.Objects::isNull);
        return new Page(jobs, total);
    }

    /** The jobs as they are, in one round trip; null where a job does not exist. Marks nothing. */
    public List<Job> jobs(List<String> ids) {
        List<Map<byte[], byte[]>> hashes = SharedConnection.send(redis, async -> {
            List<RedisFuture<Map<byte[], byte[]>>> futures = new ArrayList<>(ids.size());
            ids.forEach(id -> futures.add(async.hgetall(SharedConnection.bytes(keys.job(id)))));
            List<Map<byte[], byte[]>> replies = new ArrayList<>(ids.size());
            futures.forEach(future -> replies.add(SharedConnection.await(future)));
            return replies;
        });
        List<Job> jobs = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            Map<Object, Object> hash = new HashMap<>();
            hashes.get(i).forEach((field, value) -> hash.put(SharedConnection.string(field), SharedConnection.string(value)));
            jobs.add(hash.isEmpty() ? null : JobHashes.toJob(ids.get(i), hash));
        }
        return jobs;
    }

    /**
     * Waiting jobs per remote type and priority (their lanes), in one round trip after reading the
     * types' names; types without waiting jobs are left out.
     */
    public Map<String, Map<Priority, Long>> laneDepths() {
        Set<String> types = redis.opsForSet().members(keys.jobTypes());
        if (types == null || types.isEmpty()) {
            return Map.of();
        }
        List<String> names = new ArrayList<>(new java.util.TreeSet<>(types));
        // each lane's own length plus its keyed jobs' count (RedisKeys.keyedCount; see push_job)
        List<Long> lengths = SharedConnection.send(redis, async -> {
            List<RedisFuture<Long>> futures = new ArrayList<>(names.size() * 3);
            List<RedisFuture<byte[]>> keyed = new ArrayList<>(names.size() * 3);
            names.forEach(type -> keys.lanes(type).forEach(lane -> {
                futures.add(async.llen(SharedConnection.bytes(lane)));
                keyed.add(async.get(SharedConnection.bytes(keys.keyedCount(lane))));
            }));
            List<Long> replies = new ArrayList<>(futures.size());
            for (int i = 0; i < futures.size(); i++) {
                byte[] count = SharedConnection.await(keyed.get(i));
                replies.add(SharedConnection.await(futures.get(i))
                        + (count == null ? 0 : Long.parseLong(SharedConnection.string(count))));
            }
            return replies;
        });
        Map<String, Map<Priority, Long>> depths = new java.util.LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            Map<Priority, Long> lanes = new EnumMap<>(Priority.class);
            for (Priority priority : Priority.values()) {
                lanes.put(priority, lengths.get(i * 3 + priority.ordinal()));
            }
            if (lanes.values().stream().anyMatch(n -> n > 0)) {
                depths.put(names.get(i), lanes);
            }
        }
        return depths;
    }

    /** @param total how many jobs are in that state in all */
    public record Page(List<Job> jobs, long total) {
    }

    /** Pages over several lists (or zsets) read as one sequence; returns their total length. */
    private long window(List<String> ids, long offset, int limit, List<String> sources, boolean lists) {
        long total = 0;
        long skip = offset;
        for (String source : sources) {
            long size = zero(lists ? redis.opsForList().size(source) : redis.opsForZSet().zCard(source));
            total += size;
            if (ids.size() >= limit || skip >= size) {
                skip -= Math.min(skip, size);
                continue;
            }
            long end = Math.min(size, skip + limit - ids.size()) - 1;
            ids.addAll(lists ? redis.opsForList().range(source, skip, end)
                    : redis.opsForZSet().range(source, skip, end));
            skip = 0;
        }
        return total;
    }

    private List<TypedTuple<String>> nodes() {
        Set<TypedTuple<String>> nodes = redis.opsForZSet().rangeWithScores(keys.nodes(), 0, -1);
        return nodes == null ? List.of() : new ArrayList<>(nodes);
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

    private static long zero(Long value) {
        return value == null ? 0 : value;
    }
}
