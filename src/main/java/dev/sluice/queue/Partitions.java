package dev.sluice.queue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.zip.CRC32;

/**
 * The partitions of a namespace ({@code sluice.partitions}): each has its own hash tag, so on a Redis
 * Cluster each lives in its own slot, and the tags are chosen to spread evenly over the slot space
 * ({@link RedisKeys#tag}). One partition is the unpartitioned layout ({@code {namespace}:}), exactly a
 * namespace as before.
 *
 * <p>Where things live: a job, its batch, its idempotency key and an order's record live in one
 * partition, named by the last two hex digits of their ids ({@link dev.sluice.jobs.JobIds#next(int)});
 * settings the scripts read (pause, caps, rates, remote types, config) are written to every partition;
 * a node's and a remote worker's free-worker tokens live in partition 0 (their home), its leases in the
 * partition of each job it runs.
 */
public final class Partitions {

    private final List<RedisKeys> all;
    private final AtomicLongArray depths;
    private final boolean sharded;

    /** Partitions announcing on classic pub/sub. */
    public Partitions(String namespace, int count) {
        this(keysOf(namespace, count), false);
    }

    /** Partitions whose scripts announce with sharded pub/sub ({@code SPUBLISH}) when {@code sharded}. */
    public Partitions(String namespace, int count, boolean sharded) {
        this(keysOf(namespace, count), sharded);
    }

    private Partitions(List<RedisKeys> all, boolean sharded) {
        this.all = List.copyOf(all);
        this.depths = new AtomicLongArray(all.size());
        this.sharded = sharded;
    }

    /** One partition with these keys (tests that build their parts by hand). */
    public static Partitions single(RedisKeys keys) {
        return new Partitions(List.of(keys), false);
    }

    /** Whether the scripts announce with sharded pub/sub: {@code SPUBLISH}, heard by {@code SSUBSCRIBE}. */
    public boolean sharded() {
        return sharded;
    }

    /** The scripts, publishing the way this deployment listens. */
    LuaScripts scripts() {
        return sharded ? LuaScripts.SHARDED : LuaScripts.CLASSIC;
    }

    private static List<RedisKeys> keysOf(String namespace, int count) {
        List<RedisKeys> keys = new ArrayList<>(count);
        for (int p = 0; p < count; p++) {
            keys.add(new RedisKeys(namespace, p, count));
        }
        return keys;
    }

    public int count() {
        return all.size();
    }

    public boolean partitioned() {
        return all.size() > 1;
    }

    /** Partition 0: the home of tokens, node registrations and namespace-wide reads. */
    public RedisKeys home() {
        return all.get(0);
    }

    public RedisKeys get(int partition) {
        return all.get(partition);
    }

    public List<RedisKeys> all() {
        return all;
    }

    /** The keys of the partition an id (a job's, a batch's, an order's) names. */
    public RedisKeys of(String id) {
        return all.get(partitionOf(id));
    }

    /**
     * The partition an id names: its last two hex digits of the 36-character UUID it starts with (a
     * callback job's id is its job's id with a suffix, so it names the same partition). Always 0 when
     * unpartitioned; an id that names no partition (not an id Sluice made) reads from partition 0,
     * where it is not found.
     */
    public int partitionOf(String id) {
        if (all.size() == 1 || id == null || id.length() < 36) {
            return 0;
        }
        int high = Character.digit(id.charAt(34), 16);
        int low = Character.digit(id.charAt(35), 16);
        int partition = high < 0 || low < 0 ? 0 : high << 4 | low;
        return partition < all.size() ? partition : 0;
    }

    /**
     * Where a submission goes: by its Idempotency-Key when it has one (so a repeat meets the first
     * request's record), else by its fair-share key (so one key's jobs, and its per-key rules, stay in
     * one slot), else to the shallower of two random partitions (power of two choices) by the depths
     * the dispatchers last saw ({@link #observedDepth}).
     */
    public int place(String idempotencyKey, String key) {
        if (all.size() == 1) {
            return 0;
        }
        if (idempotencyKey != null) {
            return byHash(idempotencyKey);
        }
        if (key != null) {
            return byHash(key);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = random.nextInt(all.size());
        int b = random.nextInt(all.size() - 1);
        if (b >= a) {
            b++;
        }
        return depths.get(b) < depths.get(a) ? b : a;
    }

    /**
     * What {@link #place} hashes for an Idempotency-Key: its scope and key, so that the submission and a
     * later lookup by key ({@code QueueInspector#byIdempotencyKey}) name the same partition.
     */
    public static String idempotencyPlacement(String scope, String key) {
        return scope + "\n" + key;
    }

    /** A stable partition for a string: CRC-32 of its UTF-8 bytes, modulo the count. */
    public int byHash(String value) {
        CRC32 crc = new CRC32();
        crc.update(value.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % all.size());
    }

    /**
     * What a dispatcher saw of a partition's queued jobs (all priorities), for placement; jobs this
     * node enqueues are added ({@link #added}) until the next observation, so a node that only takes
     * requests (no dispatcher) balances what it places itself.
     */
    public void observedDepth(int partition, long depth) {
        depths.set(partition, depth);
    }

    /** This node just enqueued {@code jobs} jobs into a partition. */
    void added(int partition, int jobs) {
        depths.addAndGet(partition, jobs);
    }

    public long observedDepth(int partition) {
        return depths.get(partition);
    }
}
