package dev.sluice.queue;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;

/**
 * Remote workers' bookkeeping in Redis: registration, claims paid with the worker's tokens, lease
 * renewals, outcomes, and the remote job types' definitions. A remote worker is a node to every script
 * (same token list, lease set and info hash under {@code remote:<workerId>}), so the token gate, the
 * fencing and the reaper's recovery are the ones local workers have; what differs is that its token
 * travels with its lease (claim.lua keeps it in the job's hash), because no book of its own on this
 * side knows which of its slots is idle.
 */
@Component
public class RemoteLedger {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    /** How many scheduled and retrying jobs a type removal looks through before refusing as unverifiable. */
    static final int REMOVAL_SCAN_LIMIT = 100_000;
    /** Sets a field of a hash only when the hash exists (a worker that is gone stays gone). */
    private static final org.springframework.data.redis.core.script.RedisScript<Boolean> SET_STATE =
            org.springframework.data.redis.core.script.RedisScript.of("if redis.call('EXISTS', KEYS[1]) == 0 then "
                    + "return 0 end redis.call('HSET', KEYS[1], 'state', ARGV[1]) return 1", Boolean.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final boolean partitioned;
    private final SluiceProperties.Dispatch dispatch;
    private final SluiceProperties.Jobs jobs;
    private final JobEvents events;

    private final Replication replication;

    @org.springframework.beans.factory.annotation.Autowired
    RemoteLedger(StringRedisTemplate redis, Partitions partitions, SluiceProperties properties, JobEvents events,
            Replication replication) {
        this.redis = redis;
        this.replication = replication;
        this.keys = partitions.home();
        this.partitioned = partitions.partitioned();
        this.dispatch = properties.dispatch();
        this.jobs = properties.jobs();
        this.events = events;
    }

    RemoteLedger(StringRedisTemplate redis, Partitions partitions, SluiceProperties properties, JobEvents events) {
        this(redis, partitions, properties, events, new Replication(redis, partitions, properties));
    }

    /**
     * Remote workers and remote types are not built for a partitioned namespace yet (their tokens,
     * leases and lanes would have to follow the node's claim cycle, {@link PartitionedClaims}).
     *
     * @throws NotPartitionedException when {@code sluice.partitions} is more than 1
     */
    private void unpartitioned() {
        if (partitioned) {
            throw new NotPartitionedException();
        }
    }

    /** A remote-worker operation on a partitioned namespace, where remote workers are not built yet. */
    public static final class NotPartitionedException extends RuntimeException {
        NotPartitionedException() {
            super("Remote workers and remote job types are not available when sluice.partitions is more than 1");
        }
    }

    // --- workers

    /** What the worker script answered. */
    public enum Status { OK, UNKNOWN, OWNED, BUSY }

    /**
     * @param state run, quiet or stop (OK only)
     * @param slots the worker's slots (OK, BUSY)
     * @param owner the key that owns the id (OWNED)
     */
    public record Registration(Status status, String state, int slots, String owner, long leased) {
    }

    /**
     * Registers the worker or keeps it registered. {@code slots} null keeps what it has (a beat); a
     * worker that is not registered then stays unknown.
     */
    public Registration register(String workerId, Integer slots, String owner, Collection<String> types) {
        unpartitioned();
        String member = RedisKeys.remoteMember(workerId);
        List<?> reply = redis.execute(LuaScripts.WORKER,
                List.of(keys.nodes(), keys.node(member), keys.freeWorkers(member), keys.leases(member)),
                member, slots == null ? "" : slots.toString(), orEmpty(owner), String.join(",", types));
        return switch ((String) reply.get(0)) {
            case "ok" -> new Registration(Status.OK, (String) reply.get(1), ((Long) reply.get(2)).intValue(), owner, 0);
            case "unknown" -> new Registration(Status.UNKNOWN, null, 0, null, 0);
            case "owned" -> new Registration(Status.OWNED, null, 0, (String) reply.get(1), 0);
            default -> new Registration(Status.BUSY, null, ((Long) reply.get(1)).intValue(), owner, (Long) reply.get(2));
        };
    }

    /** Sets a registered worker's state (run, quiet, stop); false when no such worker is registered. */
    public boolean setState(String workerId, String state) {
        unpartitioned();
        String info = keys.node(RedisKeys.remoteMember(workerId));
        return Boolean.TRUE.equals(redis.execute(SET_STATE, List.of(info), state));
    }

    /** A job a remote worker claimed, with the lease it must show to renew or finish it. */
    public record RemoteClaim(ClaimedJob job, RemoteLease lease, Instant leaseExpiresAt) {
    }

    /**
     * Claims up to {@code want} jobs of {@code types} for a registered worker, each paid with one of its
     * free tokens: every type's high lane first, then normal, then low (strict priority across its types).
     */
    public List<RemoteClaim> claim(String workerId, List<String> types, int want) {
        unpartitioned();
        String member = RedisKeys.remoteMember(workerId);
        List<String> keyList = new ArrayList<>(8 + types.size() * 3);
        keyList.add(keys.freeWorkers(member));
        keyList.add(keys.leases(member));
        keyList.addAll(keys.queues());
        keyList.add(keys.retrying());
        keyList.add(keys.scheduled());
        keyList.add(keys.paused());
        keyList.add(keys.priorityTurn());
        for (Priority priority : Priority.values()) {
            types.forEach(type -> keyList.add(keys.lane(type, priority)));
        }
        String base = randomBase();
        List<?> reply = redis.execute(LuaScripts.CLAIM, keyList, Integer.toString(want),
                Long.toString(dispatch.lease().toMillis()), member, keys.jobPrefix(), keys.eventsChannel(),
                events.firehose() ? "1" : "0", base, dispatch.claimWeights());
        WorkerLedger.Claim claim = WorkerLedger.toClaim(reply);
        Instant deadline = Instant.ofEpochMilli((Long) reply.get(0) + dispatch.lease().toMillis());
        List<RemoteClaim> claimed = new ArrayList<>(claim.jobs().size());
        for (int i = 0; i < claim.jobs().size(); i++) {
            ClaimedJob job = claim.jobs().get(i);
            claimed.add(new RemoteClaim(job, new RemoteLease(workerId, job.attempt(), base + "." + (i + 1)), deadline));
        }
        return claimed;
    }

    private static String randomBase() {
        char[] base = new char[22];
        for (int i = 0; i < base.length; i++) {
            base[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(base);
    }

    /** What a lease renewal found. */
    public enum RenewalStatus { OK, CANCELLED, STALE, GONE, FORBIDDEN }

    /** @param leaseExpiresAt the new deadline (OK only); state: the job's state (STALE only) */
    public record Renewal(RenewalStatus status, Instant leaseExpiresAt, String state) {
    }

    /** Renews a remote job's lease and records its progress when given (percent null: none). */
    public Renewal renew(String jobId, RemoteLease lease, Integer percent, String message, String owner) {
        unpartitioned();
        String member = RedisKeys.remoteMember(lease.workerId());
        List<?> reply = redis.execute(LuaScripts.LEASE,
                List.of(keys.job(jobId), keys.leases(member), keys.freeWorkers(member), keys.nodes(), keys.node(member)),
                member, lease.lease(), Integer.toString(lease.attempt()), Long.toString(dispatch.lease().toMillis()),
                percent == null ? "" : Integer.toString(Math.max(0, Math.min(100, percent))), orEmpty(message),
                keys.eventsChannel(), events.firehose() ? "1" : "0", jobId, Long.toString(jobs.retention().toMillis()),
                orEmpty(owner));
        return switch ((String) reply.get(0)) {
            case "ok" -> new Renewal(RenewalStatus.OK, Instant.ofEpochMilli((Long) reply.get(1)), "running");
            case "cancelled" -> new Renewal(RenewalStatus.CANCELLED, null, "cancelled");
            case "stale" -> new Renewal(RenewalStatus.STALE, null, (String) reply.get(1));
            case "forbidden" -> new Renewal(RenewalStatus.FORBIDDEN, null, null);
            default -> new Renewal(RenewalStatus.GONE, null, null);
        };
    }

    /**
     * How one job a remote worker held ended.
     *
     * @param kind    succeeded, failed (retry while attempts remain), permanent (no retry) or released
     *                (handed back unfinished: to the head of its lane, the attempt given back)
     * @param backoff how long until the retry (failed only)
     */
    public record RemoteOutcome(String jobId, RemoteLease lease, String kind, String result, String error,
            String errorType, Duration backoff) {
    }

    /** What became of one reported outcome. */
    public enum FinishStatus { OK, REPLAY, STALE, GONE }

    public record Finished(String jobId, FinishStatus status, String state) {
    }

    /**
     * Records outcomes of jobs one worker held; null when the worker belongs to another key. Every
     * outcome must name the same worker.
     */
    public List<Finished> finish(String workerId, String owner, List<RemoteOutcome> outcomes) {
        unpartitioned();
        String member = RedisKeys.remoteMember(workerId);
        List<String> args = WorkerLedger.outcomeArgs(keys, jobs, events, member, outcomes.size());
        args.add(orEmpty(owner));
        for (RemoteOutcome outcome : outcomes) {
            args.add(outcome.jobId());
            args.add(outcome.lease().lease());
            args.add(Integer.toString(outcome.lease().attempt()));
            args.add(outcome.kind());
            args.add(orEmpty(outcome.result()));
            args.add(orEmpty(outcome.error()));
            args.add(orEmpty(outcome.errorType()));
            args.add(Long.toString(outcome.backoff() == null ? 0 : outcome.backoff().toMillis()));
        }
        List<?> reply = redis.execute(LuaScripts.FINISH, List.of(keys.freeWorkers(member), keys.leases(member),
                keys.retrying(), keys.dead(), keys.node(member)), args.toArray());
        if ("forbidden".equals(reply.get(0))) {
            return null;
        }
        replication.confirm(keys);
        List<Finished> finished = new ArrayList<>(outcomes.size());
        for (int i = 0; i < outcomes.size(); i++) {
            String status = (String) reply.get(2 * i);
            String state = (String) reply.get(2 * i + 1);
            finished.add(new Finished(outcomes.get(i).jobId(), FinishStatus.valueOf(status.toUpperCase()),
                    state.isEmpty() ? null : state));
        }
        return finished;
    }

    // --- remote job types

    /** Stores a remote type's definition (fields by name); returns its new version (1 when new). */
    public long putType(String type, Map<String, String> fields) {
        unpartitioned();
        List<String> args = new ArrayList<>(List.of("put", type, keys.nodePrefix(), keys.jobPrefix(), "0"));
        fields.forEach((name, value) -> {
            args.add(name);
            args.add(value);
        });
        List<?> reply = redis.execute(LuaScripts.JOB_TYPE, typeKeys(type), args.toArray());
        return (Long) reply.get(1);
    }

    /** Why a type could not be removed. */
    public record Removal(boolean removed, boolean missing, String busyWith, long count) {
    }

    /** Removes a remote type unless jobs of it wait or run. */
    public Removal deleteType(String type) {
        unpartitioned();
        List<?> reply = redis.execute(LuaScripts.JOB_TYPE, typeKeys(type), "delete", type, keys.nodePrefix(),
                keys.jobPrefix(), Integer.toString(REMOVAL_SCAN_LIMIT));
        return switch ((String) reply.get(0)) {
            case "ok" -> new Removal(true, false, null, 0);
            case "missing" -> new Removal(false, true, null, 0);
            default -> new Removal(false, false, (String) reply.get(1), (Long) reply.get(2));
        };
    }

    private List<String> typeKeys(String type) {
        List<String> keyList = new ArrayList<>(8);
        keyList.add(keys.jobType(type));
        keyList.add(keys.jobTypes());
        keyList.addAll(keys.lanes(type));
        keyList.add(keys.nodes());
        keyList.add(keys.scheduled());
        keyList.add(keys.retrying());
        return keyList;
    }

    /** A remote type's stored definition (field name to value), or empty when it is not registered. */
    public Optional<Map<String, String>> type(String type) {
        Map<Object, Object> hash = redis.opsForHash().entries(keys.jobType(type));
        if (hash.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        hash.forEach((k, v) -> fields.put((String) k, (String) v));
        return Optional.of(fields);
    }

    /** The remote types' names, sorted. */
    public Set<String> typeNames() {
        Set<String> names = redis.opsForSet().members(keys.jobTypes());
        return names == null ? Set.of() : new TreeSet<>(names);
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
