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
    private final Partitions partitions;
    private static final Duration MEND_EVERY = Duration.ofSeconds(1);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RemoteLedger.class);
    /** When this node last looked for a worker's lost slots (System.nanoTime). */
    private final java.util.Map<String, Long> mendChecked = new java.util.concurrent.ConcurrentHashMap<>();
    private final LuaScripts scripts;
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
        this.partitions = partitions;
        this.scripts = partitions.scripts();
        this.partitioned = partitions.partitioned();
        this.dispatch = properties.dispatch();
        this.jobs = properties.jobs();
        this.events = events;
    }

    RemoteLedger(StringRedisTemplate redis, Partitions partitions, SluiceProperties properties, JobEvents events) {
        this(redis, partitions, properties, events, new Replication(redis, partitions, properties));
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
        String member = RedisKeys.remoteMember(workerId);
        if (!partitioned) {
            return registerHome(member, slots, owner, types);
        }
        // partitioned: its tokens move in steps while a claim runs, so a change of slots waits for none to run
        String lock = slots == null ? null : lock(member, Duration.ofSeconds(1));
        if (slots != null && lock == null) {
            return new Registration(Status.BUSY, null, slots, owner, 0);
        }
        try {
            if (slots != null) {
                long leasedElsewhere = 0;
                for (RedisKeys part : partitions.all()) {
                    if (part.partition() != 0) {
                        Long leased = redis.opsForZSet().zCard(part.leases(member));
                        leasedElsewhere += leased == null ? 0 : leased;
                    }
                }
                Object current = redis.opsForHash().get(keys.node(member), "slots");
                if (leasedElsewhere > 0 && current != null && Integer.parseInt((String) current) != slots) {
                    return new Registration(Status.BUSY, null, Integer.parseInt((String) current), owner, leasedElsewhere);
                }
            }
            Registration home = registerHome(member, slots, owner, types);
            if (home.status() == Status.OK) {
                // partition 0 decided: the worker is (now) this key's in every partition
                for (RedisKeys part : partitions.all()) {
                    if (part.partition() != 0) {
                        redis.execute(scripts.member, List.of(part.nodes(), part.node(member)), member, orEmpty(owner));
                    }
                }
            }
            return home;
        } finally {
            if (lock != null) {
                unlock(member, lock);
            }
        }
    }

    private Registration registerHome(String member, Integer slots, String owner, Collection<String> types) {
        List<?> reply = redis.execute(scripts.worker,
                List.of(keys.nodes(), keys.node(member), keys.freeWorkers(member), keys.leases(member)),
                member, slots == null ? "" : slots.toString(), orEmpty(owner), String.join(",", types));
        return switch ((String) reply.get(0)) {
            case "ok" -> new Registration(Status.OK, (String) reply.get(1), ((Long) reply.get(2)).intValue(), owner, 0);
            case "unknown" -> new Registration(Status.UNKNOWN, null, 0, null, 0);
            case "owned" -> new Registration(Status.OWNED, null, 0, (String) reply.get(1), 0);
            default -> new Registration(Status.BUSY, null, ((Long) reply.get(1)).intValue(), owner, (Long) reply.get(2));
        };
    }

    private static final org.springframework.data.redis.core.script.RedisScript<Long> UNLOCK =
            org.springframework.data.redis.core.script.RedisScript.of("if redis.call('GET', KEYS[1]) == ARGV[1] then "
                    + "return redis.call('DEL', KEYS[1]) end return 0", Long.class);

    /**
     * Takes the worker's claim lock in partition 0, trying for up to {@code patience}; returns its value,
     * or null when another request held it all along. It expires by itself after 10 s (a node that died
     * holding it).
     */
    private String lock(String member, Duration patience) {
        String value = randomBase();
        long until = System.nanoTime() + patience.toNanos();
        do {
            if (Boolean.TRUE.equals(redis.opsForValue().setIfAbsent(keys.claimLock(member), value,
                    Duration.ofSeconds(10)))) {
                return value;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        } while (System.nanoTime() < until);
        return null;
    }

    private void unlock(String member, String value) {
        redis.execute(UNLOCK, List.of(keys.claimLock(member)), value);
    }

    /** Gives freed tokens back to the worker's list in partition 0 (each once: tokens.lua). */
    private void giveBack(String member, List<String> tokens) {
        if (tokens.isEmpty()) {
            return;
        }
        List<String> args = new ArrayList<>(tokens.size() + 1);
        args.add("0");
        args.addAll(tokens);
        // with the worker's info hash: a token of an older generation (the list was mended since) is dropped
        redis.execute(scripts.tokens, List.of(keys.freeWorkers(member), keys.node(member)), args.toArray());
    }

    /** Whether to look for lost slots now: at most once a second per worker on this node. */
    private boolean mendDue(String member) {
        long now = System.nanoTime();
        Long last = mendChecked.get(member);
        if (last != null && now - last < MEND_EVERY.toNanos()) {
            return false;
        }
        if (mendChecked.size() >= 10_000) {
            mendChecked.clear(); // a bound on what this node remembers; the cost is one check more
        }
        mendChecked.put(member, now);
        return true;
    }

    /**
     * Whether the worker lost slots: it holds no lease in any partition, yet its free tokens and the
     * {@code inHand} ones this claim took are fewer than its slots. One pipelined read (under the claim
     * lock, so no lease appears meanwhile); a busy worker, the usual reason for a short take, stops at it.
     */
    private boolean slotsLost(String member, int inHand) {
        byte[] free = keys.freeWorkers(member).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] info = keys.node(member).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<Object> replies = redis.executePipelined((org.springframework.data.redis.core.RedisCallback<Object>) c -> {
            c.listCommands().lLen(free);
            c.hashCommands().hGet(info, "slots".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (RedisKeys part : partitions.all()) {
                c.zSetCommands().zCard(part.leases(member).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return null;
        });
        long leased = replies.subList(2, replies.size()).stream().mapToLong(n -> n == null ? 0 : (Long) n).sum();
        Object slots = replies.get(1);
        return leased == 0 && slots != null && (Long) replies.get(0) + inHand < Long.parseLong((String) slots);
    }

    /**
     * Gives the worker back the slots it lost (a node died between ending a lease in another partition
     * and giving its token back): its list is filled anew with tokens of a new generation (mend.lua,
     * which checks again that it holds no lease in partition 0 and that the list is short). Under the
     * worker's claim lock, with none of its tokens in hand, after {@link #slotsLost} found no lease in
     * the other partitions.
     */
    private void mend(String member) {
        Long added = redis.execute(scripts.mend, List.of(keys.node(member), keys.freeWorkers(member),
                keys.leases(member)));
        if (added != null && added > 0) {
            log.warn("Remote worker {} had {} slot(s) neither free nor leased (a node died while giving "
                    + "them back); its token list was filled anew", member, added);
        }
    }

    /** A worker active in another partition is alive in partition 0 too. */
    private void touch(String member) {
        redis.execute(scripts.touch, List.of(keys.nodes()), member);
    }

    /** Sets a registered worker's state (run, quiet, stop); false when no such worker is registered. */
    public boolean setState(String workerId, String state) {
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
        String member = RedisKeys.remoteMember(workerId);
        if (partitioned) {
            return claimPartitioned(workerId, member, types, want);
        }
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
        List<?> reply = redis.execute(scripts.claim, keyList, Integer.toString(want),
                Long.toString(dispatch.lease().toMillis()), member, keys.jobPrefix(), keys.eventsChannel(),
                events.firehose() ? "1" : "0", base, dispatch.claimWeights());
        return remoteClaims(workerId, WorkerLedger.toClaim(reply), base, (Long) reply.get(0));
    }

    private List<RemoteClaim> remoteClaims(String workerId, WorkerLedger.Claim claim, String base, long now) {
        Instant deadline = Instant.ofEpochMilli(now + dispatch.lease().toMillis());
        List<RemoteClaim> claimed = new ArrayList<>(claim.jobs().size());
        for (int i = 0; i < claim.jobs().size(); i++) {
            ClaimedJob job = claim.jobs().get(i);
            claimed.add(new RemoteClaim(job, new RemoteLease(workerId, job.attempt(), base + "." + (i + 1)), deadline));
        }
        return claimed;
    }

    /**
     * A claim on a partitioned namespace: under the worker's claim lock, tokens taken in partition 0
     * (tokens.lua), then one pipelined look at every partition (its types' lanes per priority, and
     * whether delayed jobs are due), then claims (claim.lua with given tokens): every partition's high
     * lanes that hold jobs, then normal, then low, then partitions whose delayed jobs are due (the
     * claim promotes them); the unspent tokens given back. Another claim for the same worker in
     * progress: nothing now (the waiter tries again on the next wake-up or tick).
     */
    private List<RemoteClaim> claimPartitioned(String workerId, String member, List<String> types, int want) {
        String lock = lock(member, Duration.ZERO);
        if (lock == null) {
            return List.of();
        }
        java.util.Deque<String> tokens = new java.util.ArrayDeque<>();
        List<RemoteClaim> claimed = new ArrayList<>();
        try {
            List<?> taken = redis.execute(scripts.tokens, List.of(keys.freeWorkers(member)), Integer.toString(want));
            taken.forEach(token -> tokens.add((String) token));
            if (tokens.size() < want && mendDue(member) && slotsLost(member, tokens.size())) {
                // the tokens in hand go back first: the mend counts them free, and replaces them
                giveBack(member, List.copyOf(tokens));
                tokens.clear();
                mend(member);
                redis.execute(scripts.tokens, List.of(keys.freeWorkers(member)), Integer.toString(want))
                        .forEach(token -> tokens.add((String) token));
            }
            if (tokens.isEmpty()) {
                return claimed;
            }
            LaneLook look = look(types);
            int count = partitions.count();
            int start = java.util.concurrent.ThreadLocalRandom.current().nextInt(count);
            boolean[] visited = new boolean[count];
            List<List<Priority>> passes = dispatch.claimWeights().isEmpty()
                    ? List.of(List.of(Priority.HIGH), List.of(Priority.NORMAL), List.of(Priority.LOW))
                    : List.of(List.of(Priority.values()));
            for (List<Priority> pass : passes) {
                for (int i = 0; i < count && !tokens.isEmpty(); i++) {
                    int p = (start + i) % count;
                    if (pass.stream().anyMatch(priority -> look.waiting(p, priority))) {
                        visited[p] = true;
                        claimIn(partitions.get(p), workerId, member, types, pass, tokens, claimed);
                    }
                }
            }
            for (int i = 0; i < count && !tokens.isEmpty(); i++) {
                int p = (start + i) % count;
                if (!visited[p] && look.due(p)) {
                    claimIn(partitions.get(p), workerId, member, types, List.of(Priority.values()), tokens, claimed);
                }
            }
        } finally {
            try {
                giveBack(member, List.copyOf(tokens));
            } finally {
                unlock(member, lock);
            }
        }
        return claimed;
    }

    private void claimIn(RedisKeys part, String workerId, String member, List<String> types, List<Priority> priorities,
            java.util.Deque<String> tokens, List<RemoteClaim> claimed) {
        List<String> lanes = new ArrayList<>();
        for (Priority priority : priorities) {
            types.forEach(type -> lanes.add(part.lane(type, priority)));
        }
        String base = randomBase(); // each claim call names its leases <base>.<n>
        WorkerLedger.Given reply = WorkerLedger.claimWithTokens(redis, scripts, part, member, lanes,
                List.of(Integer.toString(tokens.size()), Long.toString(dispatch.lease().toMillis()), member,
                        part.jobPrefix(), part.eventsChannel(), events.firehose() ? "1" : "0", base,
                        dispatch.claimWeights()), tokens);
        claimed.addAll(remoteClaims(workerId, reply.claim(), base, reply.now()));
    }

    /** What every partition holds for a worker's types: jobs per priority, and the earliest delayed job. */
    private record LaneLook(long[][] waiting, long[] nextDue, long now) {

        boolean waiting(int partition, Priority priority) {
            return waiting[partition][priority.ordinal()] > 0;
        }

        boolean due(int partition) {
            return nextDue[partition] >= 0 && nextDue[partition] <= now;
        }
    }

    private LaneLook look(List<String> types) {
        int count = partitions.count();
        long[][] waiting = new long[count][Priority.values().length];
        long[] nextDue = new long[count];
        long now = SharedConnection.send(redis, async -> {
            List<io.lettuce.core.RedisFuture<Long>> lengths = new ArrayList<>();
            List<io.lettuce.core.RedisFuture<byte[]>> keyed = new ArrayList<>();
            List<io.lettuce.core.RedisFuture<List<io.lettuce.core.ScoredValue<byte[]>>>> heads = new ArrayList<>();
            for (RedisKeys part : partitions.all()) {
                for (Priority priority : Priority.values()) {
                    for (String type : types) {
                        String lane = part.lane(type, priority);
                        lengths.add(async.llen(SharedConnection.bytes(lane)));
                        keyed.add(async.get(SharedConnection.bytes(part.keyedCount(lane))));
                    }
                }
                heads.add(async.zrangeWithScores(SharedConnection.bytes(part.retrying()), 0, 0));
                heads.add(async.zrangeWithScores(SharedConnection.bytes(part.scheduled()), 0, 0));
            }
            io.lettuce.core.RedisFuture<List<byte[]>> time = async.time();
            int at = 0;
            for (int p = 0; p < count; p++) {
                for (Priority priority : Priority.values()) {
                    for (int t = 0; t < types.size(); t++, at++) {
                        byte[] n = SharedConnection.await(keyed.get(at));
                        waiting[p][priority.ordinal()] += SharedConnection.await(lengths.get(at))
                                + (n == null ? 0 : Long.parseLong(SharedConnection.string(n)));
                    }
                }
                nextDue[p] = -1;
                for (int z = 0; z < 2; z++) {
                    List<io.lettuce.core.ScoredValue<byte[]>> head = SharedConnection.await(heads.get(2 * p + z));
                    if (!head.isEmpty()) {
                        long due = (long) head.get(0).getScore();
                        nextDue[p] = nextDue[p] < 0 ? due : Math.min(nextDue[p], due);
                    }
                }
            }
            List<byte[]> clock = SharedConnection.await(time); // seconds, microseconds
            return Long.parseLong(SharedConnection.string(clock.get(0))) * 1000
                    + Long.parseLong(SharedConnection.string(clock.get(1))) / 1000;
        });
        return new LaneLook(waiting, nextDue, now);
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
        String member = RedisKeys.remoteMember(lease.workerId());
        RedisKeys keys = partitions.of(jobId);
        List<?> reply = redis.execute(scripts.lease,
                List.of(keys.job(jobId), keys.leases(member), partitioned ? keys.unused() : keys.freeWorkers(member),
                        keys.nodes(), keys.node(member)),
                member, lease.lease(), Integer.toString(lease.attempt()), Long.toString(dispatch.lease().toMillis()),
                percent == null ? "" : Integer.toString(Math.max(0, Math.min(100, percent))), orEmpty(message),
                keys.eventsChannel(), events.firehose() ? "1" : "0", jobId, Long.toString(jobs.retention().toMillis()),
                orEmpty(owner));
        if (partitioned) {
            touch(member);
            if ("cancelled".equals(reply.get(0)) && reply.size() > 1) {
                giveBack(member, List.of((String) reply.get(1)));
            }
        }
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
        String member = RedisKeys.remoteMember(workerId);
        // by partition (one script each); partitioned, the freed tokens come back in the reply
        Map<Integer, List<Integer>> byPartition = new java.util.TreeMap<>();
        for (int i = 0; i < outcomes.size(); i++) {
            byPartition.computeIfAbsent(partitions.partitionOf(outcomes.get(i).jobId()), p -> new ArrayList<>()).add(i);
        }
        Finished[] finished = new Finished[outcomes.size()];
        List<String> freed = new ArrayList<>();
        List<RedisKeys> written = new ArrayList<>();
        try {
            for (Map.Entry<Integer, List<Integer>> part : byPartition.entrySet()) {
                RedisKeys keys = partitions.get(part.getKey());
                List<RemoteOutcome> some = part.getValue().stream().map(outcomes::get).toList();
                List<?> reply = finishIn(keys, member, owner, some);
                if ("forbidden".equals(reply.get(0))) {
                    return null;
                }
                written.add(keys);
                for (int j = 0; j < some.size(); j++) {
                    String status = (String) reply.get(2 * j);
                    String state = (String) reply.get(2 * j + 1);
                    finished[part.getValue().get(j)] = new Finished(some.get(j).jobId(),
                            FinishStatus.valueOf(status.toUpperCase()), state.isEmpty() ? null : state);
                }
                for (int t = 2 * some.size(); t < reply.size(); t++) {
                    freed.add((String) reply.get(t));
                }
            }
        } finally {
            if (partitioned) {
                giveBack(member, freed);
                touch(member);
            }
        }
        written.forEach(replication::confirm);
        return List.of(finished);
    }

    private List<?> finishIn(RedisKeys keys, String member, String owner, List<RemoteOutcome> outcomes) {
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
        return redis.execute(scripts.finish, List.of(partitioned ? keys.unused() : keys.freeWorkers(member),
                keys.leases(member), keys.retrying(), keys.dead(), keys.node(member)), args.toArray());
    }

    // --- remote job types

    /** Stores a remote type's definition (fields by name); returns its new version (1 when new). */
    public long putType(String type, Map<String, String> fields) {
        long version = putType(keys, type, fields);
        for (RedisKeys part : partitions.all()) { // every partition's enqueue checks its own copy
            if (part.partition() != 0) {
                Map<String, String> same = new LinkedHashMap<>(fields);
                putType(part, type, same);
                redis.opsForHash().put(part.jobType(type), "version", Long.toString(version));
            }
        }
        return version;
    }

    private long putType(RedisKeys keys, String type, Map<String, String> fields) {
        List<String> args = new ArrayList<>(List.of("put", type, keys.nodePrefix(), keys.jobPrefix(), "0"));
        fields.forEach((name, value) -> {
            args.add(name);
            args.add(value);
        });
        List<?> reply = redis.execute(scripts.jobType, typeKeys(keys, type), args.toArray());
        return (Long) reply.get(1);
    }

    /** Why a type could not be removed. */
    public record Removal(boolean removed, boolean missing, String busyWith, long count) {
    }

    /** Removes a remote type unless jobs of it wait or run. */
    public Removal deleteType(String type) {
        if (partitioned) {
            // every partition must agree before any loses the type; then partition 0, read by every node, last
            for (RedisKeys part : partitions.all()) {
                Removal check = removal(redis.execute(scripts.jobType, typeKeys(part, type), "check", type,
                        part.nodePrefix(), part.jobPrefix(), Integer.toString(REMOVAL_SCAN_LIMIT)));
                if (!check.removed() && !(check.missing() && part.partition() != 0)) {
                    return check;
                }
            }
            for (int p = partitions.count() - 1; p > 0; p--) {
                RedisKeys part = partitions.get(p);
                redis.execute(scripts.jobType, typeKeys(part, type), "delete", type, part.nodePrefix(),
                        part.jobPrefix(), Integer.toString(REMOVAL_SCAN_LIMIT));
            }
        }
        return removal(redis.execute(scripts.jobType, typeKeys(keys, type), "delete", type, keys.nodePrefix(),
                keys.jobPrefix(), Integer.toString(REMOVAL_SCAN_LIMIT)));
    }

    private static Removal removal(List<?> reply) {
        return switch ((String) reply.get(0)) {
            case "ok" -> new Removal(true, false, null, 0);
            case "missing" -> new Removal(false, true, null, 0);
            default -> new Removal(false, false, (String) reply.get(1), (Long) reply.get(2));
        };
    }

    private static List<String> typeKeys(RedisKeys keys, String type) {
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
