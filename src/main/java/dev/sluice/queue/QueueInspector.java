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
            JobState.RETRYING, JobState.DEAD, JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED);

    private final StringRedisTemplate redis;
    private final Partitions partitions;
    private final LuaScripts scripts;
    private final RedisKeys keys;

    QueueInspector(StringRedisTemplate redis, Partitions partitions) {
        this.redis = redis;
        this.partitions = partitions;
        this.scripts = partitions.scripts();
        this.keys = partitions.home();
    }

    /**
     * Depths, running jobs and every node's workers. Partitioned, each partition is read on its own and
     * the counts summed (a node's free tokens are in partition 0, its running jobs' leases in each
     * partition), so free + running = pool holds per partition's snapshot, not across them.
     */
    public QueueStats stats() {
        if (!partitions.partitioned()) {
            return stats(keys);
        }
        QueueStats sum = null;
        for (RedisKeys part : partitions.all()) {
            QueueStats one = stats(part);
            if (sum == null) {
                sum = one;
                continue;
            }
            Map<Priority, Long> depths = new EnumMap<>(Priority.class);
            for (Priority priority : Priority.values()) {
                depths.put(priority, sum.depths().get(priority) + one.depths().get(priority));
            }
            Map<String, QueueStats.NodeStats> ofNode = new java.util.HashMap<>();
            one.nodes().forEach(n -> ofNode.put(n.id(), n));
            List<QueueStats.NodeStats> nodeStats = sum.nodes().stream().map(n -> {
                QueueStats.NodeStats other = ofNode.get(n.id());
                return other == null ? n : new QueueStats.NodeStats(n.id(), n.poolSize(), n.freeWorkers(),
                        n.running() + other.running(), n.lastHeartbeat());
            }).toList();
            sum = new QueueStats(depths, sum.running() + one.running(), sum.scheduled() + one.scheduled(),
                    sum.retrying() + one.retrying(), sum.dead() + one.dead(), nodeStats);
        }
        return sum;
    }

    private QueueStats stats(RedisKeys keys) {
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
        List<?> replies = redis.execute(scripts.stats, keyList);
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

    /** At most this many jobs are read to apply a filter that no list answers by itself (see {@link Filter}). */
    public static final int MAX_FILTER_SCAN = 10_000;

    /**
     * What a listing keeps: jobs of one fair-share key, one type, one priority; null for any.
     * Queued jobs of one key are found from the key's own lists (exact and cheap); the other filters,
     * and any filter on the other states, read the jobs' fields, at most {@link #MAX_FILTER_SCAN} jobs
     * a listing, and say so when they stopped there ({@link Page#partial()}).
     */
    public record Filter(String key, String type, Priority priority, Instant createdAfter, Instant createdBefore) {
        public static final Filter NONE = new Filter(null, null, null, null, null);

        boolean none() {
            return key == null && type == null && priority == null && createdAfter == null && createdBefore == null;
        }

        boolean timed() {
            return createdAfter != null || createdBefore != null;
        }
    }

    /** The job a POST /api/jobs with this Idempotency-Key created within {@code scope} (endpoint@key name), if it is still there. */
    public java.util.Optional<Job> byIdempotencyKey(String scope, String idempotencyKey) {
        RedisKeys keys = partitions.get(partitions.place(Partitions.idempotencyPlacement(scope, idempotencyKey), null));
        String stored = redis.opsForValue().get(keys.idempotency(scope, idempotencyKey));
        if (stored == null || stored.indexOf('|') < 0) {
            return java.util.Optional.empty();
        }
        List<Job> found = jobs(List.of(stored.substring(0, stored.indexOf('|'))));
        return java.util.Optional.ofNullable(found.get(0));
    }

    /** Lists every job of a state: {@link #list(JobState, Filter, long, int)} without a filter. */
    public Page list(JobState state, long offset, int limit) {
        return list(state, Filter.NONE, offset, limit);
    }

    /**
     * One page of the jobs in a state: queued in the order of the lists they wait in (high first; per
     * priority the keyless jobs, then each key's, then remote types' lanes, then jobs parked over a
     * cap), running by node, scheduled and retrying soonest due first, dead, succeeded, failed and
     * cancelled most recent first (within retention: their indexes are trimmed with the records).
     */
    public Page list(JobState state, Filter filter, long offset, int limit) {
        return list(state, filter, offset, limit, null);
    }

    /**
     * {@link #list(JobState, Filter, long, int)}, telling {@code admit} how many bytes the page's jobs
     * hold (payloads, results, errors, and a little for the rest) before they are read; it may refuse
     * by throwing, and nothing of the jobs is read then. Null: nothing is measured (no extra round trip).
     */
    public Page list(JobState state, Filter filter, long offset, int limit, java.util.function.LongConsumer admit) {
        if (!LISTABLE.contains(state)) {
            throw new IllegalArgumentException("cannot list " + state);
        }
        List<Source> sources = switch (state) {
            case QUEUED -> partitions.all().stream().flatMap(part -> queuedSources(part, filter).stream())
                    .sorted(java.util.Comparator.comparingInt(QueueInspector::rank)).toList(); // high of every partition first
            case RUNNING -> partitions.all().stream().flatMap(part -> nodes().stream().map(n -> new Source(
                    part.leases(n.getValue()), false, false, !filter.none()))).toList();
            default -> partitions.all().stream().map(part -> new Source(sortedSet(part, state), false,
                    newestFirst(state), !filter.none())).toList();
        };
        if (partitions.partitioned() && CURSORED.contains(state) && filter.none()) {
            return mergedPage(state, offset, limit, admit);
        }
        List<String> ids = new ArrayList<>();
        Window window = new Window(offset, limit);
        for (Source source : sources) {
            if (!window.read(source, filter, ids)) {
                break;
            }
        }
        return page(ids, window.total, window.partial, admit);
    }

    private Page page(List<String> ids, long total, boolean partial, java.util.function.LongConsumer admit) {
        if (admit != null) {
            admit.accept(bytes(ids));
        }
        List<Job> jobs = new ArrayList<>(jobs(ids));
        jobs.removeIf(java.util.Objects::isNull);
        return new Page(jobs, total, partial);
    }

    /**
     * An offset page of a sorted state across partitions, in the state's order (newest first, or
     * soonest due first): each partition's first {@code offset + limit} entries merged by (score, id).
     * At most {@link #MAX_FILTER_SCAN} entries are read from each partition: a page past that is
     * partial (the cursor pages any depth).
     */
    private Page mergedPage(JobState state, long offset, int limit, java.util.function.LongConsumer admit) {
        boolean newestFirst = newestFirst(state);
        long want = Math.min(offset + limit, MAX_FILTER_SCAN);
        List<TypedTuple<String>> merged = new ArrayList<>();
        long total = 0;
        for (RedisKeys part : partitions.all()) {
            String zset = sortedSet(part, state);
            Set<TypedTuple<String>> head = newestFirst ? redis.opsForZSet().reverseRangeWithScores(zset, 0, want - 1)
                    : redis.opsForZSet().rangeWithScores(zset, 0, want - 1);
            if (head != null) {
                merged.addAll(head);
            }
            total += zero(redis.opsForZSet().zCard(zset));
        }
        java.util.Comparator<TypedTuple<String>> order = java.util.Comparator
                .comparing((TypedTuple<String> e) -> e.getScore()).thenComparing(TypedTuple::getValue);
        merged.sort(newestFirst ? order.reversed() : order);
        List<String> ids = merged.stream().skip(offset).limit(limit).map(TypedTuple::getValue).toList();
        return page(ids, total, offset + limit > MAX_FILTER_SCAN, admit);
    }

    /** The states kept in one sorted set each, which can be paged by cursor: see {@link #listAfter}. */
    public static final Set<JobState> CURSORED = Set.of(JobState.SCHEDULED, JobState.RETRYING, JobState.DEAD,
            JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED);

    /**
     * One page after a cursor, for the states kept in one sorted set ({@link #CURSORED}): stable while
     * jobs come and go, however deep the page (no offset to skip). The cursor is where the previous page
     * ended (its last job's score and id); null for the first page. {@link CursorPage#next()} is null
     * when nothing follows. Filters apply as in {@link #list}, reading at most {@link #MAX_FILTER_SCAN}
     * jobs a page.
     */
    public CursorPage listAfter(JobState state, Filter filter, String cursor, int limit) {
        return listAfter(state, filter, cursor, limit, null);
    }

    /** {@link #listAfter(JobState, Filter, String, int)}, with {@code admit} as in {@link #list(JobState, Filter, long, int, java.util.function.LongConsumer)}. */
    public CursorPage listAfter(JobState state, Filter filter, String cursor, int limit,
            java.util.function.LongConsumer admit) {
        if (!CURSORED.contains(state)) {
            throw new IllegalArgumentException("no cursor paging for " + state);
        }
        boolean newestFirst = newestFirst(state);
        Double fromScore = null;
        String fromId = null;
        if (cursor != null) {
            String decoded = new String(java.util.Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8);
            fromScore = Double.valueOf(decoded.substring(0, decoded.indexOf(':')));
            fromId = decoded.substring(decoded.indexOf(':') + 1);
        }
        List<String> ids = new ArrayList<>();
        String next;
        if (!partitions.partitioned()) {
            Scan scan = scanAfter(sortedSet(keys, state), newestFirst, fromScore, fromId, filter, limit);
            scan.kept().forEach(entry -> ids.add(entry.getValue()));
            next = scan.exhausted() || scan.lastId() == null ? null : cursor(scan.lastScore(), scan.lastId());
        } else {
            // every partition's next page from the same cursor, merged by (score, id) in the listing's order
            java.util.Comparator<TypedTuple<String>> order = java.util.Comparator
                    .comparing((TypedTuple<String> e) -> e.getScore()).thenComparing(TypedTuple::getValue);
            if (newestFirst) {
                order = order.reversed();
            }
            List<TypedTuple<String>> merged = new ArrayList<>();
            List<Scan> unfinished = new ArrayList<>();
            for (RedisKeys part : partitions.all()) {
                Scan scan = scanAfter(sortedSet(part, state), newestFirst, fromScore, fromId, filter, limit);
                merged.addAll(scan.kept());
                if (!scan.exhausted() && scan.kept().size() < limit && scan.lastId() != null) {
                    unfinished.add(scan); // stopped at the scan limit before filling a page
                }
            }
            merged.sort(order);
            List<TypedTuple<String>> page = merged.subList(0, Math.min(limit, merged.size()));
            page.forEach(entry -> ids.add(entry.getValue()));
            if (page.size() == limit) {
                TypedTuple<String> last = page.get(page.size() - 1);
                next = cursor(last.getScore(), last.getValue());
            } else if (!unfinished.isEmpty()) {
                // resume where the least advanced partition's scan stopped
                Scan least = unfinished.get(0);
                for (Scan scan : unfinished) {
                    if (order.compare(TypedTuple.of(scan.lastId(), scan.lastScore()),
                            TypedTuple.of(least.lastId(), least.lastScore())) < 0) {
                        least = scan;
                    }
                }
                next = cursor(least.lastScore(), least.lastId());
            } else {
                next = null;
            }
        }
        if (admit != null) {
            admit.accept(bytes(ids));
        }
        List<Job> jobs = new ArrayList<>(jobs(ids));
        jobs.removeIf(java.util.Objects::isNull);
        return new CursorPage(jobs, next);
    }

    private static String cursor(double score, String id) {
        return java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(((long) score + ":" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * What one sorted set holds after a position: the entries the filter kept (at most {@code limit}),
     * whether the set has nothing more, and the last entry scanned (kept or not).
     */
    private record Scan(List<TypedTuple<String>> kept, boolean exhausted, double lastScore, String lastId) {
    }

    private Scan scanAfter(String zset, boolean newestFirst, Double fromScore, String fromId, Filter filter, int limit) {
        List<TypedTuple<String>> keptEntries = new ArrayList<>();
        double lastScore = 0;
        String lastId = null;
        int scanned = 0;
        boolean more = true;
        while (keptEntries.size() < limit && more && scanned < MAX_FILTER_SCAN) {
            double bound = fromScore == null ? (newestFirst ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY) : fromScore;
            Set<TypedTuple<String>> chunk = newestFirst
                    ? redis.opsForZSet().reverseRangeByScoreWithScores(zset, Double.NEGATIVE_INFINITY, bound, 0, FILTER_CHUNK)
                    : redis.opsForZSet().rangeByScoreWithScores(zset, bound, Double.POSITIVE_INFINITY, 0, FILTER_CHUNK);
            List<TypedTuple<String>> entries = chunk == null ? List.of() : new ArrayList<>(chunk);
            more = entries.size() == FILTER_CHUNK;
            List<TypedTuple<String>> fresh = new ArrayList<>();
            for (TypedTuple<String> entry : entries) {
                boolean seen = fromScore != null && entry.getScore().doubleValue() == fromScore
                        && (newestFirst ? entry.getValue().compareTo(fromId) >= 0 : entry.getValue().compareTo(fromId) <= 0);
                if (!seen) {
                    fresh.add(entry);
                }
            }
            if (fresh.isEmpty() && more) {
                // a whole chunk of one score already seen: step past it (ties beyond a chunk are not split)
                fromScore = newestFirst ? Math.nextDown(fromScore) : Math.nextUp(fromScore);
                fromId = "";
                continue;
            }
            List<String> chunkIds = fresh.stream().map(TypedTuple::getValue).toList();
            scanned += chunkIds.size();
            Set<String> kept = filter.none() ? null : new java.util.HashSet<>(matching(chunkIds, filter));
            for (TypedTuple<String> entry : fresh) {
                lastScore = entry.getScore();
                lastId = entry.getValue();
                if (kept == null || kept.contains(entry.getValue())) {
                    keptEntries.add(entry);
                    if (keptEntries.size() == limit) {
                        break;
                    }
                }
            }
            if (lastId == null) {
                break;
            }
            fromScore = lastScore;
            fromId = lastId;
            if (fresh.isEmpty()) {
                break;
            }
        }
        return new Scan(keptEntries, keptEntries.size() < limit && !more, lastScore, lastId);
    }

    /** The sorted set a state's jobs are kept in ({@link #CURSORED} states). */
    private static String sortedSet(RedisKeys keys, JobState state) {
        return switch (state) {
            case SCHEDULED -> keys.scheduled();
            case RETRYING -> keys.retrying();
            case DEAD -> keys.dead();
            default -> keys.finished(state);
        };
    }

    /** Scheduled and retrying jobs are listed soonest due first; dead and finished ones newest first. */
    private static boolean newestFirst(JobState state) {
        return state != JobState.SCHEDULED && state != JobState.RETRYING;
    }

    /** @param next the cursor of the page after this one; null when nothing follows */
    public record CursorPage(List<Job> jobs, String next) {
    }

    /** Where queued jobs wait: the priority lists, each key's list, the lanes, the parked lists. */
    private List<Source> queuedSources(RedisKeys keys, Filter filter) {
        Set<String> remote = redis.opsForSet().members(keys.jobTypes());
        List<String> remoteTypes = remote == null ? List.of() : new ArrayList<>(new java.util.TreeSet<>(remote));
        List<String> lists = new ArrayList<>();
        for (Priority priority : Priority.values()) {
            if (filter.priority() != null && filter.priority() != priority) {
                continue;
            }
            if (filter.type() == null || !remoteTypes.contains(filter.type())) {
                lists.add(keys.queue(priority));
            }
            remoteTypes.stream().filter(type -> filter.type() == null || filter.type().equals(type))
                    .forEach(type -> lists.add(keys.lane(type, priority)));
        }
        // a list's jobs all have its priority, and a lane's all have its type
        boolean typeKnown = filter.type() == null || remoteTypes.contains(filter.type());
        List<Source> sources = new ArrayList<>();
        if (filter.key() != null) {
            lists.forEach(list -> sources.add(new Source(keys.keyed(list, filter.key()), true, false,
                    !typeKnown || filter.timed())));
        } else {
            List<List<String>> rings = SharedConnection.send(redis, async -> {
                List<RedisFuture<List<byte[]>>> futures = new ArrayList<>(lists.size());
                lists.forEach(list -> futures.add(async.lrange(SharedConnection.bytes(keys.keyRing(list)), 0, -1)));
                List<List<String>> replies = new ArrayList<>(lists.size());
                futures.forEach(future -> replies.add(SharedConnection.await(future).stream()
                        .map(SharedConnection::string).filter(key -> !key.isEmpty()).distinct().toList()));
                return replies;
            });
            for (int i = 0; i < lists.size(); i++) {
                boolean check = !typeKnown || filter.timed();
                sources.add(new Source(lists.get(i), true, false, check));
                String list = lists.get(i);
                rings.get(i).forEach(key -> sources.add(new Source(keys.keyed(list, key), true, false, check)));
            }
        }
        Set<String> limited = redis.opsForSet().members(keys.limitedTypes());
        for (String type : limited == null ? Set.<String>of() : new java.util.TreeSet<>(limited)) {
            if (filter.type() != null && !filter.type().equals(type)) {
                continue;
            }
            Set<String> parked = redis.opsForSet().members(keys.parkedLists(type));
            for (String list : parked == null ? Set.<String>of() : new java.util.TreeSet<>(parked)) {
                boolean ofKey = filter.key() != null && list.equals(keys.parked(type + "|" + filter.key()));
                boolean keyKnown = filter.key() == null || ofKey;
                if (filter.key() != null && !keyKnown && list.startsWith(keys.parked(type + "|"))) {
                    continue; // another key's parked jobs
                }
                sources.add(new Source(list, true, false, !keyKnown || filter.priority() != null || filter.timed()));
            }
        }
        return sources;
    }

    /** A list or sorted set of job ids; {@code check}: its jobs must be read to apply the filter. */
    private record Source(String name, boolean list, boolean newestFirst, boolean check) {
    }

    /**
     * Where a queued source stands in a listing across partitions: its priority (0 high, 1 normal, 2 low;
     * a list's or lane's name ends with it, before any {@code #key}), parked jobs last. A stable sort by
     * it keeps each partition's own order within a priority.
     */
    private static int rank(Source source) {
        String name = source.name();
        int tag = name.indexOf('}');
        if (name.indexOf(":parked:", tag) >= 0) {
            return Priority.values().length;
        }
        int hash = name.indexOf('#', tag);
        String list = hash < 0 ? name : name.substring(0, hash);
        return Priority.fromWire(list.substring(list.lastIndexOf(':') + 1)).ordinal();
    }

    /** Collects one page across sources read as one sequence, and counts what matches in all. */
    private final class Window {
        private long skip;
        private final int limit;
        private long total;
        private boolean partial;
        private int scanned;

        Window(long offset, int limit) {
            this.skip = offset;
            this.limit = limit;
        }

        /** Reads one source; false when the filter's scan bound was reached and the listing stops here. */
        boolean read(Source source, Filter filter, List<String> ids) {
            long size = zero(source.list() ? redis.opsForList().size(source.name())
                    : redis.opsForZSet().zCard(source.name()));
            if (!source.check()) {
                total += size;
                if (ids.size() >= limit || skip >= size) {
                    skip -= Math.min(skip, size);
                    return true;
                }
                long end = Math.min(size, skip + limit - ids.size()) - 1;
                ids.addAll(range(source, skip, end));
                skip = 0;
                return true;
            }
            for (long from = 0; from < size; from += FILTER_CHUNK) {
                if (scanned >= MAX_FILTER_SCAN) {
                    partial = true;
                    return false;
                }
                long to = Math.min(size, Math.min(from + FILTER_CHUNK, from + MAX_FILTER_SCAN - scanned)) - 1;
                List<String> chunk = range(source, from, to);
                scanned += chunk.size();
                for (String id : matching(chunk, filter)) {
                    total++;
                    if (skip > 0) {
                        skip--;
                    } else if (ids.size() < limit) {
                        ids.add(id);
                    }
                }
            }
            return true;
        }

        private List<String> range(Source source, long from, long to) {
            java.util.Collection<String> page = source.list() ? redis.opsForList().range(source.name(), from, to)
                    : source.newestFirst() ? redis.opsForZSet().reverseRange(source.name(), from, to)
                    : redis.opsForZSet().range(source.name(), from, to);
            return page == null ? List.of() : new ArrayList<>(page);
        }
    }

    private static final int FILTER_CHUNK = 500;

    private static boolean within(byte[] createdAt, Filter filter) {
        if (!filter.timed()) {
            return true;
        }
        if (createdAt == null) {
            return false;
        }
        long at = Long.parseLong(SharedConnection.string(createdAt));
        return (filter.createdAfter() == null || at >= filter.createdAfter().toEpochMilli())
                && (filter.createdBefore() == null || at < filter.createdBefore().toEpochMilli());
    }

    /** The ids among {@code ids} whose job matches the filter, in one round trip. */
    private List<String> matching(List<String> ids, Filter filter) {
        List<List<byte[]>> fields = SharedConnection.send(redis, async -> {
            List<RedisFuture<List<io.lettuce.core.KeyValue<byte[], byte[]>>>> futures = new ArrayList<>(ids.size());
            ids.forEach(id -> futures.add(async.hmget(SharedConnection.bytes(partitions.of(id).job(id)),
                    SharedConnection.bytes("key"), SharedConnection.bytes("type"), SharedConnection.bytes("priority"),
                    SharedConnection.bytes("createdAt"))));
            List<List<byte[]>> replies = new ArrayList<>(ids.size());
            futures.forEach(future -> replies.add(SharedConnection.await(future).stream()
                    .map(kv -> kv.getValueOrElse(null)).toList()));
            return replies;
        });
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            List<byte[]> job = fields.get(i);
            if (job.get(1) == null) {
                continue; // expired or removed meanwhile
            }
            String key = job.get(0) == null ? null : SharedConnection.string(job.get(0));
            if ((filter.key() == null || filter.key().equals(key))
                    && (filter.type() == null || filter.type().equals(SharedConnection.string(job.get(1))))
                    && (filter.priority() == null
                            || filter.priority().wire().equals(SharedConnection.string(job.get(2))))
                    && within(job.get(3), filter)) {
                kept.add(ids.get(i));
            }
        }
        return kept;
    }

    /** The jobs' states only (null where a job does not exist), in one round trip of HGETs. */
    public List<JobState> states(List<String> ids) {
        byte[] state = SharedConnection.bytes("state");
        return SharedConnection.send(redis, async -> {
            List<RedisFuture<byte[]>> futures = new ArrayList<>(ids.size());
            ids.forEach(id -> futures.add(async.hget(SharedConnection.bytes(partitions.of(id).job(id)), state)));
            List<JobState> states = new ArrayList<>(ids.size());
            futures.forEach(future -> {
                byte[] value = SharedConnection.await(future);
                states.add(value == null ? null : JobState.fromWire(SharedConnection.string(value)));
            });
            return states;
        });
    }

    /** Bytes a job's record costs beside its payload, result and error (ids, times, state): a rough bound. */
    private static final int RECORD_OVERHEAD = 512;

    /**
     * What the jobs' records hold (their payloads', results' and errors' lengths, plus a little for the
     * other fields), in one round trip of HSTRLENs, without reading them.
     */
    public long bytes(List<String> ids) {
        byte[][] fields = {SharedConnection.bytes("payload"), SharedConnection.bytes("result"),
                SharedConnection.bytes("error")};
        return SharedConnection.send(redis, async -> {
            List<RedisFuture<Long>> futures = new ArrayList<>(ids.size() * 3);
            for (String id : ids) {
                byte[] key = SharedConnection.bytes(partitions.of(id).job(id));
                for (byte[] field : fields) {
                    futures.add(async.hstrlen(key, field));
                }
            }
            long total = (long) ids.size() * RECORD_OVERHEAD;
            for (RedisFuture<Long> future : futures) {
                Long length = SharedConnection.await(future);
                total += length == null ? 0 : length;
            }
            return total;
        });
    }

    /** The jobs as they are, in one round trip; null where a job does not exist. Marks nothing. */
    public List<Job> jobs(List<String> ids) {
        List<Map<byte[], byte[]>> hashes = SharedConnection.send(redis, async -> {
            List<RedisFuture<Map<byte[], byte[]>>> futures = new ArrayList<>(ids.size());
            ids.forEach(id -> futures.add(async.hgetall(SharedConnection.bytes(partitions.of(id).job(id)))));
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
            // every partition's lanes, partition after partition; summed per type and priority below
            partitions.all().forEach(part -> names.forEach(type -> part.lanes(type).forEach(lane -> {
                futures.add(async.llen(SharedConnection.bytes(lane)));
                keyed.add(async.get(SharedConnection.bytes(part.keyedCount(lane))));
            })));
            List<Long> replies = new ArrayList<>(java.util.Collections.nCopies(names.size() * 3, 0L));
            for (int i = 0; i < futures.size(); i++) {
                byte[] count = SharedConnection.await(keyed.get(i));
                int at = i % (names.size() * 3);
                replies.set(at, replies.get(at) + SharedConnection.await(futures.get(i))
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

    /**
     * @param total how many jobs are in that state (and match the filter) in all
     * @param partial the filter's scan stopped at {@link #MAX_FILTER_SCAN} jobs: more may match than
     *     {@code total} says, past the page
     */
    public record Page(List<Job> jobs, long total, boolean partial) {
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
        List<String> all = new ArrayList<>();
        for (RedisKeys part : partitions.all()) { // partition by partition, at most limit in all
            if (all.size() >= limit) {
                break;
            }
            java.util.Set<String> ids = redis.opsForZSet().range(part.dead(), 0, limit - all.size() - 1L);
            if (ids != null) {
                all.addAll(ids);
            }
        }
        return all;
    }

    /** Who submitted a batch (the API key name), or null. */
    public String batchOwner(String batchId) {
        return (String) redis.opsForHash().get(partitions.of(batchId).batch(batchId), "owner");
    }

    /** The ids of a batch's jobs, in submission order; empty when there is no such batch. */
    public List<String> batchMembers(String batchId) {
        List<String> ids = redis.opsForList().range(partitions.of(batchId).batchJobs(batchId), 0, -1);
        return ids == null ? List.of() : ids;
    }

    private static long zero(Long value) {
        return value == null ? 0 : value;
    }
}
