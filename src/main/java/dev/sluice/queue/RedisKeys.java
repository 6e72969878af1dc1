package dev.sluice.queue;

import java.util.List;

/**
 * Names every Redis key and channel of one partition of a namespace. All of them start with
 * {@code {namespace}:} (one partition) or {@code {namespace:n.k}:} (partition n of several, see
 * {@link #tag}): the braces are a Redis Cluster hash tag, so every key of a partition lands in one slot and every Lua script may touch any of
 * them. With one partition (the default) the layout is exactly the unpartitioned one. Nothing outside
 * this class builds a key; {@link Partitions} says which partition a job or setting belongs to.
 */
public final class RedisKeys {

    private final String prefix;
    private final int partition;

    public RedisKeys(String namespace) {
        this(namespace, 0, 1);
    }

    /** A namespace that is not partitioned, or partition {@code partition} of {@code count} (see {@link #tag}). */
    public RedisKeys(String namespace, int partition, int count) {
        this.partition = partition;
        this.prefix = "{" + tag(namespace, partition, count) + "}:";
    }

    /**
     * The hash tag of a partition: the namespace itself when there is one partition (the unpartitioned
     * layout); else {@code <namespace>:<n>.<k>}, with the smallest k that puts the tag's Redis Cluster
     * slot in the n-th of {@code count} equal ranges of the 16,384 slots. A cluster whose masters hold
     * equal slot ranges (what {@code redis-cli --cluster create} makes) then serves P / M partitions on
     * each of its M masters when M divides P, instead of wherever the tags' hashes fall.
     */
    static String tag(String namespace, int partition, int count) {
        if (count == 1) {
            return namespace;
        }
        int from = partition * SLOTS / count;
        int to = (partition + 1) * SLOTS / count;
        for (int k = 0; ; k++) {
            String tag = namespace + ":" + partition + "." + k;
            int slot = io.lettuce.core.cluster.SlotHash.getSlot(tag);
            if (slot >= from && slot < to) {
                return tag;
            }
        }
    }

    private static final int SLOTS = 16384;

    /** Which partition these keys name (0 for an unpartitioned namespace). */
    public int partition() {
        return partition;
    }

    /** LIST of job ids waiting at one priority; RPUSH in, LPOP out. */
    public String queue(Priority priority) {
        return prefix + "queue:" + priority.wire();
    }

    /** The three queue lists, highest priority first. */
    public List<String> queues() {
        return List.of(queue(Priority.HIGH), queue(Priority.NORMAL), queue(Priority.LOW));
    }

    /**
     * LIST of job ids of one remote type waiting at one priority: the type's lane. Only remote workers
     * that claim the type pop from it. Scripts that find a job's lane in its hash build this same name
     * from the job prefix ({@code queue_of} in {@code _prelude.lua}).
     */
    public String lane(String type, Priority priority) {
        return prefix + "lane:" + type + ":" + priority.wire();
    }

    /**
     * String: how many jobs with a key wait behind a queue list or lane ({@code <list>#n}). Keyed jobs
     * wait in {@code <list>#<key>} and the ring {@code <list>#} holds the keys that have jobs, for round
     * robin within a priority; the scripts build all three names from the list's (push_job, pop_fair).
     */
    public String keyedCount(String list) {
        return list + "#n";
    }

    /** LIST: the keys with jobs waiting behind a queue list or lane, served in turn (see {@link #keyedCount}). */
    public String keyRing(String list) {
        return list + "#";
    }

    /** LIST of the jobs of one key waiting behind a queue list or lane (see {@link #keyedCount}). */
    public String keyed(String list, String key) {
        return list + "#" + key;
    }

    /** HASH of a job type's concurrency caps (concurrency, perKeyConcurrency); take_slot builds the same name. */
    public String limits(String type) {
        return prefix + "limits:" + type;
    }

    /** SET of the types that have caps. */
    public String limitedTypes() {
        return prefix + "limited-types";
    }

    /** HASH of running jobs per capped type and per {@code <type>|<key>} (take_slot, release_slot). */
    public String running() {
        return prefix + "running";
    }

    /** LIST of the jobs of a capped type (or {@code <type>|<key>}) waiting for a slot (take_slot parks them). */
    public String parked(String typeOrTypeAndKey) {
        return prefix + "parked:" + typeOrTypeAndKey;
    }

    /** HASH: deliveries that ended in a minute (since the epoch), '<state>|<type>' to a count; kept 25 h. */
    public String stats(long minute) {
        return prefix + "stats:" + minute;
    }

    /** HASH of namespace-wide settings the scripts read: attemptHistory (log_attempt). */
    public String config() {
        return prefix + "config";
    }

    /** SORTED SET: start times (Redis ms) of the jobs of a type, or '<type>|<key>', within its rate's period. */
    public String rateLog(String typeOrTypeAndKey) {
        return prefix + "rate-log:" + typeOrTypeAndKey;
    }

    /** SET of a capped type's parked lists (take_slot adds them; unpark.lua empties them when caps change). */
    public String parkedLists(String type) {
        return prefix + "parked-lists:" + type;
    }

    /** A remote type's three lanes, highest priority first. */
    public List<String> lanes(String type) {
        return List.of(lane(type, Priority.HIGH), lane(type, Priority.NORMAL), lane(type, Priority.LOW));
    }

    /**
     * HASH defining a remote job type (description, payload schema, defaults, version). enqueue.lua
     * checks that it exists, building the same name from the job prefix.
     */
    public String jobType(String type) {
        return prefix + "job-type:" + type;
    }

    /** SET of the names of the remote job types. */
    public String jobTypes() {
        return prefix + "job-types";
    }

    /**
     * A remote worker's id among the nodes: {@code remote:<workerId>}. Its token list, leases and info
     * hash are a node's keys under this id, so registration, stats and the reaper treat it as a node.
     */
    public static String remoteMember(String workerId) {
        return REMOTE + workerId;
    }

    /** What every remote worker's member id starts with; no node id may (NodeId refuses it). */
    public static final String REMOTE = "remote:";

    /** HASH of one job: type, payload, state, attempts, timings, result or error. */
    public String job(String id) {
        return jobPrefix() + id;
    }

    /** What {@link #job} puts before the id; scripts that discover ids build job keys from it. */
    public String jobPrefix() {
        return prefix + "job:";
    }

    /** ZSET of node id to its last heartbeat (Redis time, ms). */
    public String nodes() {
        return prefix + "nodes";
    }

    /**
     * ZSET of failed jobs waiting out their retry back-off, to their due time (Redis time, ms). The key
     * keeps its first name, {@code delayed}, so that retrying jobs of a running deployment are found.
     */
    public String retrying() {
        return prefix + "delayed";
    }

    /** ZSET of jobs submitted for a later time (delay, runAt), to their due time (Redis time, ms). */
    public String scheduled() {
        return prefix + "scheduled";
    }

    /**
     * ZSET of the jobs that ended succeeded, failed or cancelled, to when they ended (Redis time, ms):
     * the index their listing reads (on_final adds, retry removes, the reaper trims past retention).
     */
    public String finished(JobState state) {
        return prefix + "finished:" + state.wire();
    }

    /** ZSET of dead jobs (every attempt failed) to the time they died (Redis time, ms). */
    public String dead() {
        return prefix + "dead";
    }

    /** String with an expiry: the id a request with this Idempotency-Key created, and its fingerprint. */
    public String idempotency(String scope, String key) {
        return prefix + "idempotency:" + scope + ":" + key;
    }

    /** HASH of a batch: total, createdAt. */
    public String batch(String id) {
        return prefix + "batch:" + id;
    }

    /** LIST of the ids of a batch's jobs, in submission order. */
    public String batchJobs(String id) {
        return batch(id) + ":jobs";
    }

    /** HASH of an application record (an order, say) of some kind. */
    public String record(String kind, String id) {
        return prefix + "record:" + kind + ":" + id;
    }

    /** LIST belonging to a record: entries appended over its life (a timeline, an outbox). */
    public String recordList(String kind, String id, String list) {
        return record(kind, id) + ":" + list;
    }

    /** SET of the ids of the records of a kind that share a value (all orders of one customer). */
    public String recordIndex(String kind, String index, String value) {
        return prefix + "index:" + kind + ":" + index + ":" + value;
    }

    /** A key name that is never written: passed in KEYS where a script's optional key is not needed. */
    public String unused() {
        return prefix + "-";
    }

    /** String counter: whose turn it is among the priorities, when they are weighted (claim.lua). */
    public String priorityTurn() {
        return prefix + "priority-turn";
    }

    /** SET of the priorities (high, normal, low) that no node takes jobs from while paused. */
    public String paused() {
        return prefix + "paused";
    }

    /**
     * String: when the namespace was first used (ms). Never expires; when it is gone, Redis lost the
     * namespace's data (restarted without persistence, flushed, evicted), and every node says so.
     */
    public String epoch() {
        return prefix + "epoch";
    }

    /** String with an expiry: which node reaps during the current tick. */
    public String reaperLock() {
        return prefix + "reaper";
    }

    /** HASH describing a node: pool size, last heartbeat. */
    public String node(String nodeId) {
        return nodePrefix() + nodeId;
    }

    /**
     * What {@link #node} puts before the id. reap.lua derives a node's keys from it and the node ids
     * in {@link #nodes()}, exactly as {@link #node}, {@link #freeWorkers} and {@link #leases} build them.
     */
    public String nodePrefix() {
        return prefix + "node:";
    }

    /** LIST of a node's free-worker tokens, one per idle worker thread. */
    public String freeWorkers(String nodeId) {
        return node(nodeId) + ":free-workers";
    }

    /**
     * String with an expiry: held while one request claims for a remote worker, or changes its slots,
     * on a partitioned namespace (its tokens then move in several steps).
     */
    public String claimLock(String member) {
        return node(member) + ":claiming";
    }

    /** ZSET of the ids of the jobs a node runs to their lease deadlines (Redis time, ms). */
    public String leases(String nodeId) {
        return node(nodeId) + ":leases";
    }

    /** Channel that tells dispatchers a queue went from empty to non-empty. */
    public String wakeChannel() {
        return prefix + "wake";
    }

    /** Channel carrying JSON arrays of job events: {id, state, type, at, attempt?, progress?, message?}. */
    public String eventsChannel() {
        return prefix + "events";
    }

    /** String with an expiry: present while some node streams every job event to a client. */
    public String firehose() {
        return prefix + "firehose";
    }

    /** Channel carrying the id of a running job whose node must interrupt it. */
    public String cancelChannel() {
        return prefix + "cancel";
    }

    /** A pattern matching every key of the namespace (for inspection and tests, never for writes). */
    public String everything() {
        return prefix + "*";
    }
}
