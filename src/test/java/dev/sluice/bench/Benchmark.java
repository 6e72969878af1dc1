package dev.sluice.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.sluice.SluiceApplication;
import dev.sluice.jobs.JobRequest;
import dev.sluice.jobs.JobSubmitter;
import dev.sluice.queue.Job;
import dev.sluice.queue.Priority;
import dev.sluice.queue.QueueInspector;
import dev.sluice.queue.QueueStats;
import dev.sluice.queue.RedisKeys;
import dev.sluice.support.TestRedis;

/**
 * Sluice's benchmark: drain throughput, HTTP submission against an LPUSH ceiling, pickup latency,
 * Redis cost and service footprint. Runs on purpose ({@code bench/run.sh}), never as part of the test
 * suite (a smoke-sized run is: {@code BenchmarkSmokeIT}). Every scenario runs {@code runs} times and
 * the table gives min, median and max. Everything it starts listens on 127.0.0.1 and every loop is
 * bounded in count and time.
 */
public final class Benchmark {

    /** Settings, as {@code name=value} arguments. */
    record Options(String redisUrl, int jobs, Duration warmUp, Duration measure, int rate, int connections,
            int batchSize, int runs, int workers, Path jar, String only, int slots, int keys, boolean limits) {

        boolean runs(int scenario) {
            return only.isEmpty() || only.contains(Integer.toString(scenario));
        }

        static Options parse(String... args) {
            Map<String, String> given = new HashMap<>();
            for (String arg : args) {
                int eq = arg.indexOf('=');
                given.put(eq < 0 ? arg : arg.substring(0, eq), eq < 0 ? "true" : arg.substring(eq + 1));
            }
            boolean smoke = given.containsKey("smoke");
            return new Options(given.get("redis"),
                    Integer.parseInt(given.getOrDefault("jobs", smoke ? "2000" : "100000")),
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("warmup", smoke ? "1" : "3"))),
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("seconds", smoke ? "1" : "20"))),
                    Integer.parseInt(given.getOrDefault("rate", smoke ? "200" : "500")),
                    Integer.parseInt(given.getOrDefault("connections", "64")),
                    Integer.parseInt(given.getOrDefault("batch", "1000")),
                    Integer.parseInt(given.getOrDefault("runs", smoke ? "1" : "3")),
                    Integer.parseInt(given.getOrDefault("workers", "8")),
                    given.containsKey("jar") ? Path.of(given.get("jar")) : null,
                    given.getOrDefault("only", ""),
                    Integer.parseInt(given.getOrDefault("slots", "8")),
                    Integer.parseInt(given.getOrDefault("keys", "0")),
                    given.containsKey("limits"));
        }
    }

    /** One measured quantity over the runs. */
    record Figure(String scenario, String name, String target, List<Double> values) {
        double median() {
            List<Double> sorted = values.stream().sorted().toList();
            return sorted.get(sorted.size() / 2);
        }

        double min() {
            return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Options options;
    private final Map<String, Figure> figures = new LinkedHashMap<>();
    private String redisUrl;
    private boolean ownRedis;
    private StringRedisTemplate redis;

    Benchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        System.out.println(new Benchmark(Options.parse(args)).run());
        System.exit(0);
    }

    /** Runs every scenario and returns the report. */
    String run() throws Exception {
        TestRedis.EmbeddedServer server = null;
        if (options.redisUrl() == null) {
            server = TestRedis.EmbeddedServer.start(false);
            redisUrl = server.url();
            ownRedis = true;
        } else {
            redisUrl = options.redisUrl();
        }
        LettuceConnectionFactory connections = new LettuceConnectionFactory(
                LettuceConnectionFactory.createRedisConfiguration(redisUrl));
        connections.afterPropertiesSet();
        connections.start();
        redis = new StringRedisTemplate(connections);
        try {
            if (options.runs(1) || options.runs(4)) {
                warmUp();
                for (int run = 0; run < options.runs(); run++) {
                    drain();
                }
            }
            if (options.runs(6)) {
                remoteDrain(Math.max(1000, options.jobs() / 5), false);
                for (int run = 0; run < options.runs(); run++) {
                    remoteDrain(options.jobs(), true);
                }
            }
            if (options.runs(7)) {
                httpJobs(Math.max(500, options.jobs() / 20), 8, false);
                for (int workers : new int[] {8, 64}) {
                    for (int run = 0; run < options.runs(); run++) {
                        httpJobs(Math.max(500, options.jobs() / 5), workers, true);
                    }
                }
            }
            if (options.runs(2)) {
                submission();
            }
            if (options.runs(8)) {
                durability();
            }
            if (options.runs(9)) {
                cluster();
            }
            if (options.runs(3)) {
                pickup();
            }
            if (options.jar() != null && options.runs(5)) {
                for (int run = 0; run < options.runs(); run++) {
                    footprint();
                }
            }
            return report();
        } finally {
            connections.destroy();
            if (server != null) {
                server.stop();
            }
        }
    }

    // 1 and 4: drain throughput and Redis cost

    /** One unrecorded drain of a fifth of the jobs first, so that no measured run pays for JIT compilation. */
    private void warmUp() {
        Map<String, Figure> kept = new LinkedHashMap<>(figures);
        drain(Math.max(1000, options.jobs() / 5));
        figures.clear();
        figures.putAll(kept);
    }

    private void drain() {
        drain(options.jobs());
    }

    private void drain(int n) {
        String namespace = "bench-" + UUID.randomUUID();
        RedisInfo before = RedisInfo.read(redis);
        List<String> ids;
        try (ConfigurableApplicationContext producer = app(namespace, "sluice.workers.enabled=false")) {
            if (options.limits()) {
                // a cap and a rate that never bind: what checking them costs
                producer.getBean(dev.sluice.queue.Limits.class).put("noop", new dev.sluice.queue.Limits.Caps(1_000_000,
                        null, new dev.sluice.queue.Limits.Rate(1_000_000, Duration.ofSeconds(1)), null));
            }
            ids = enqueue(producer.getBean(JobSubmitter.class), n, options.keys());
        }
        RedisInfo queued = RedisInfo.read(redis);
        RedisInfo drained;
        try (ConfigurableApplicationContext workers = app(namespace, "sluice.workers.pool-size=" + options.workers())) {
            QueueInspector inspector = workers.getBean(QueueInspector.class);
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (!idle(inspector.stats()) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
            drained = RedisInfo.read(redis);
        }
        long[] span = startAndFinish(new RedisKeys(namespace), ids);
        double seconds = (span[1] - span[0]) / 1000.0;
        record("1 drain", "jobs/s, " + n + " no-op jobs queued, " + options.workers() + " workers"
                        + (options.keys() > 0 ? ", " + options.keys() + " keys" : "")
                        + (options.limits() ? ", a cap and a rate set, not binding" : ""),
                "≥ 20,000", n / Math.max(seconds, 0.001));
        record("4 Redis cost", "Redis CPU ms per 1,000 jobs (drain)", "≤ 30",
                (drained.cpuSeconds() - queued.cpuSeconds()) * 1000.0 / (n / 1000.0));
        record("4 Redis cost", "Redis commands per job (drain)", "≤ 10",
                (drained.commands() - queued.commands()) / (double) n);
        record("4 Redis cost", "Redis commands per job (enqueue, batches of 1,000)", "",
                (queued.commands() - before.commands()) / (double) n);
        record("4 Redis cost", "Redis memory per queued job, bytes", "≤ 1,024",
                (queued.usedMemory() - before.usedMemory()) / (double) n);
        clean(namespace);
    }

    // 6: remote workers over HTTP

    /**
     * N no-op jobs of a remote type, queued first, drained by {@code workers} remote workers of
     * {@code slots} slots each (default 8), played by the bench JVM over HTTP (RemoteDrain) against an
     * API-only node.
     */
    private void remoteDrain(int n, boolean recorded) throws Exception {
        String namespace = "bench-" + UUID.randomUUID();
        try (ConfigurableApplicationContext api = app(namespace, "sluice.workers.enabled=false",
                "sluice.queues.capacity=0")) {
            int port = ((WebServerApplicationContext) api).getWebServer().getPort();
            api.getBean(dev.sluice.jobs.RemoteTypes.class).put("bench-noop", "", JSON.readTree("true"), null, null, null);
            ObjectNode empty = JsonNodeFactory.instance.objectNode();
            JobSubmitter submitter = api.getBean(JobSubmitter.class);
            for (int from = 0; from < n; from += 1000) {
                submitter.submitAll(IntStream.range(from, Math.min(n, from + 1000))
                        .mapToObj(i -> JobRequest.of("bench-noop", empty, Priority.values()[i % 3])).toList());
            }
            RedisInfo queued = RedisInfo.read(redis);
            long nanos = RemoteDrain.run(port, "bench-noop", n, options.workers(), options.slots(), Duration.ofMinutes(10));
            RedisInfo drained = RedisInfo.read(redis);
            if (recorded) {
                record("6 remote drain", "jobs/s over HTTP, " + n + " no-op jobs, " + options.workers()
                        + " workers x " + options.slots() + " slots, batch complete", "≥ 10,000", n / (nanos / 1e9));
                record("6 remote drain", "Redis commands per job (remote drain)", "",
                        (drained.commands() - queued.commands()) / (double) n);
                record("6 remote drain", "Redis CPU ms per 1,000 jobs (remote drain)", "",
                        (drained.cpuSeconds() - queued.cpuSeconds()) * 1000.0 / (n / 1000.0));
            }
        }
        clean(namespace);
    }

    // 7: http jobs against a fast local endpoint

    /**
     * N http jobs (POST of a small JSON body) to an endpoint in this JVM that answers 200 at once, drained
     * by a node with {@code workers} workers; jobs/s from the first start to the last finish.
     */
    private void httpJobs(int n, int workers, boolean recorded) throws Exception {
        // the JDK's server writes headers and body apart; without TCP_NODELAY every answer waits out the
        // client's delayed ACK (~40 ms), which measures Nagle, not Sluice
        System.setProperty("sun.net.httpserver.nodelay", "true");
        com.sun.net.httpserver.HttpServer endpoint = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(16));
        endpoint.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] ok = "{\"ok\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        endpoint.start();
        String namespace = "bench-" + UUID.randomUUID();
        String target = "http://127.0.0.1:" + endpoint.getAddress().getPort();
        try {
            List<String> ids;
            try (ConfigurableApplicationContext producer = app(namespace, "sluice.workers.enabled=false",
                    "sluice.http.allowed-targets[0]=" + target)) {
                ids = new ArrayList<>(n);
                JobSubmitter submitter = producer.getBean(JobSubmitter.class);
                ObjectNode payload = JsonNodeFactory.instance.objectNode().put("url", target + "/hook");
                payload.putObject("body").put("n", 1);
                for (int from = 0; from < n; from += 1000) {
                    submitter.submitAll(IntStream.range(from, Math.min(n, from + 1000))
                            .mapToObj(i -> JobRequest.of("http", payload, Priority.NORMAL)).toList())
                            .stream().map(Job::id).forEach(ids::add);
                }
            }
            try (ConfigurableApplicationContext node = app(namespace, "sluice.workers.pool-size=" + workers,
                    "sluice.http.allowed-targets[0]=" + target)) {
                QueueInspector inspector = node.getBean(QueueInspector.class);
                long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
                while (!idle(inspector.stats()) && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                }
            }
            long[] span = startAndFinish(new RedisKeys(namespace), ids);
            if (recorded) {
                record("7 http jobs", "jobs/s, " + n + " http jobs to a local endpoint, " + workers + " workers", "",
                        n / Math.max((span[1] - span[0]) / 1000.0, 0.001));
            }
        } finally {
            endpoint.stop(0);
            clean(namespace);
        }
    }

    private static boolean idle(QueueStats stats) {
        return stats.depths().values().stream().mapToLong(Long::longValue).sum() == 0 && stats.running() == 0;
    }

    /** N no-op jobs of mixed priorities, with {@code keys} keys in turn (0: keyless), in batches of 1,000. */
    private static List<String> enqueue(JobSubmitter submitter, int n, int keys) {
        return enqueue(submitter, n, keys, 1000);
    }

    private static List<String> enqueue(JobSubmitter submitter, int n, int keys, int size) {
        List<String> ids = new ArrayList<>(n);
        ObjectNode empty = JsonNodeFactory.instance.objectNode();
        Priority[] priorities = Priority.values();
        for (int from = 0; from < n; from += size) {
            List<JobRequest> batch = IntStream.range(from, Math.min(n, from + size))
                    .mapToObj(i -> keys == 0 ? JobRequest.of("noop", empty, priorities[i % 3])
                            : new JobRequest("noop", empty, priorities[i % 3], null, null, null, null, null, null,
                                    "tenant-" + (i % keys))).toList();
            submitter.submitAll(batch).stream().map(Job::id).forEach(ids::add);
        }
        return ids;
    }

    /** First startedAt and last finishedAt over the jobs, ms. */
    private long[] startAndFinish(RedisKeys keys, List<String> ids) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int from = 0; from < ids.size(); from += 5000) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 5000));
            List<Object> replies = redis.executePipelined((RedisCallback<Object>) c -> {
                chunk.forEach(id -> c.hashCommands().hMGet(keys.job(id).getBytes(), "startedAt".getBytes(),
                        "finishedAt".getBytes()));
                return null;
            });
            for (Object reply : replies) {
                List<?> times = (List<?>) reply;
                first = Math.min(first, Long.parseLong((String) times.get(0)));
                last = Math.max(last, Long.parseLong((String) times.get(1)));
            }
        }
        return new long[] {first, last};
    }

    // 2: HTTP submission

    private void submission() throws InterruptedException {
        String namespace = "bench-" + UUID.randomUUID();
        String single = "{\"type\":\"noop\",\"payload\":{}}";
        String batch = "{\"jobs\":[" + IntStream.range(0, options.batchSize())
                .mapToObj(i -> "{\"type\":\"noop\",\"priority\":\"" + Priority.values()[i % 3].wire() + "\"}")
                .collect(Collectors.joining(",")) + "]}";
        try (ConfigurableApplicationContext api = app(namespace, "sluice.workers.enabled=false",
                "sluice.api.max-batch-size=" + options.batchSize(), "sluice.queues.capacity=0")) {
            int port = ((WebServerApplicationContext) api).getWebServer().getPort();
            for (int run = 0; run < options.runs(); run++) {
                HttpLoad.Result jobs = HttpLoad.run(port, "/api/jobs", options.connections(), options.warmUp(),
                        options.measure(), i -> single, 400_000);
                clean(namespace);
                HttpLoad.Result ceiling = HttpLoad.run(port, "/bench/lpush", options.connections(), options.warmUp(),
                        options.measure(), i -> single, 400_000);
                clean(namespace);
                // bounded to 900 requests (900,000 jobs kept in Redis, no workers); a 1 s warm-up so the
                // budget is not spent before measuring
                HttpLoad.Result batches = HttpLoad.run(port, "/api/jobs/batch", 4, Duration.ofSeconds(1),
                        options.measure(), i -> batch, 900);
                clean(namespace);
                requireNoFailures(jobs, ceiling, batches);
                String load = options.connections() + " connections";
                record("2 HTTP submission", "POST /api/jobs requests/s, " + load, "", jobs.perSecond());
                record("2 HTTP submission", "POST /api/jobs p50 ms", "", jobs.latency().percentileMillis(0.50));
                record("2 HTTP submission", "POST /api/jobs p99 ms", "", jobs.latency().percentileMillis(0.99));
                record("2 HTTP submission", "ceiling: one LPUSH per request, requests/s", "", ceiling.perSecond());
                record("2 HTTP submission", "POST /api/jobs as % of the ceiling", "≥ 80 %",
                        100.0 * jobs.perSecond() / ceiling.perSecond());
                record("2 HTTP submission", "POST /api/jobs/batch jobs/s (" + options.batchSize() + " a request, 4 "
                        + "connections)", "≥ 70,000", batches.perSecond() * options.batchSize());
            }
        }
    }

    // 8: durable acceptance (WAIT) on a private master + replica

    /**
     * POST /api/jobs with sluice.durability.replicas 0 and 1, in turn, on one master with one replica
     * (redis-server processes of the machine's Redis 7, started here): what waiting for a replica costs.
     */
    private void durability() throws InterruptedException {
        try (dev.sluice.support.RedisProcesses procs = new dev.sluice.support.RedisProcesses()) {
            dev.sluice.support.RedisProcesses.Server master = procs.server();
            procs.replicaOf(master);
            String url = "redis://" + master.address();
            String single = "{\"type\":\"noop\",\"payload\":{}}";
            for (int run = -1; run < options.runs(); run++) { // run -1 warms up, unrecorded
                double[] http = new double[2];
                double[] direct = new double[2];
                for (int i = 0; i <= 1; i++) {
                    int replicas = (run + i) % 2 == 0 ? 0 : 1; // the order alternates between runs
                    String namespace = "bench-" + UUID.randomUUID();
                    try (ConfigurableApplicationContext api = appOn(url, namespace, "sluice.workers.enabled=false",
                            "sluice.queues.capacity=0", "sluice.durability.replicas=" + replicas)) {
                        int port = ((WebServerApplicationContext) api).getWebServer().getPort();
                        HttpLoad.Result jobs = HttpLoad.run(port, "/api/jobs", options.connections(),
                                options.warmUp(), options.measure(), n -> single, 400_000);
                        requireNoFailures(jobs);
                        http[replicas] = jobs.perSecond();
                        direct[replicas] = submitters(api.getBean(JobSubmitter.class), 16, options.measure());
                        if (run >= 0) {
                            String label = "replicas " + replicas;
                            record("8 durability", "POST /api/jobs requests/s, " + options.connections()
                                    + " connections, " + label, "", jobs.perSecond());
                            record("8 durability", "POST /api/jobs p50 ms, " + label, "",
                                    jobs.latency().percentileMillis(0.50));
                            record("8 durability", "POST /api/jobs p99 ms, " + label, "",
                                    jobs.latency().percentileMillis(0.99));
                            record("8 durability", "in-process submissions/s, 16 threads, one job each, " + label, "",
                                    direct[replicas]);
                        }
                    }
                    master.cli("flushall");
                }
                if (run >= 0) {
                    record("8 durability", "HTTP: replicas 1 as a ratio of replicas 0 (same run)", "", http[1] / http[0]);
                    record("8 durability", "in-process: replicas 1 as a ratio of replicas 0 (same run)", "",
                            direct[1] / direct[0]);
                }
            }
        }
    }

    /** Submissions per second from {@code threads} threads, each submitting one job at a time, for {@code time}. */
    private static double submitters(JobSubmitter submitter, int threads, Duration time) throws InterruptedException {
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        long end = System.nanoTime() + time.toNanos();
        ObjectNode empty = JsonNodeFactory.instance.objectNode();
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                while (System.nanoTime() < end && done.get() < 2_000_000) {
                    submitter.submit(JobRequest.of("noop", empty, Priority.NORMAL));
                    done.incrementAndGet();
                }
            });
            all.add(thread);
            thread.start();
        }
        for (Thread thread : all) {
            thread.join();
        }
        return done.get() / (time.toNanos() / 1e9);
    }

    // 9: a Redis Cluster (3 masters + 3 replicas) against one Redis, both private

    /**
     * The drain on a 3-master cluster with P = 1, 3 and 6 partitions beside the same drain on a single
     * redis-server of the same binary, in the same run (the order rotates between runs); commands and
     * Redis CPU per master.
     */
    private void cluster() {
        try (dev.sluice.support.RedisProcesses procs = new dev.sluice.support.RedisProcesses()) {
            List<dev.sluice.support.RedisProcesses.Server> nodes = procs.cluster(3, 1);
            dev.sluice.support.RedisProcesses.Server single = procs.server();
            String clusterNodes = "spring.data.redis.cluster.nodes=" + dev.sluice.support.RedisProcesses.addresses(nodes);
            String alone = "spring.data.redis.url=redis://" + single.address();
            int n = options.jobs();
            Map<String, Figure> kept = new LinkedHashMap<>(figures);
            clusterDrain(Math.max(1000, n / 5), List.of(single), alone, 1, "auto", "");
            clusterDrain(Math.max(1000, n / 5), nodes, clusterNodes, 6, "auto", "");
            figures.clear(); // the warm-up is not recorded
            figures.putAll(kept);
            // the single redis-server with one partition and with six (what partitioning costs in commands
            // and CPU without a cluster); the cluster with 1, 3 and 6 (sharded pub/sub, the default there),
            // and 6 with classic pub/sub (what sharding the messages saves)
            // and the single redis-server at P = 1 again beside two busy loops (redis-cli --intrinsic-latency,
            // bounded): what sharing the two cores does to Redis CPU per job with the same work
            record Drain(boolean onCluster, int partitions, String pubsub, boolean crowded) {
            }
            List<Drain> drains = List.of(new Drain(false, 1, "auto", false), new Drain(false, 6, "auto", false),
                    new Drain(true, 1, "auto", false), new Drain(true, 3, "auto", false),
                    new Drain(true, 6, "auto", false), new Drain(true, 6, "classic", false),
                    new Drain(false, 1, "auto", true));
            for (int run = 0; run < options.runs(); run++) {
                double[] rate = new double[drains.size()];
                for (int i = 0; i < drains.size(); i++) {
                    int at = (i + run) % drains.size();
                    Drain drain = drains.get(at);
                    List<Process> loops = new ArrayList<>();
                    try {
                        for (int l = 0; drain.crowded() && l < 2; l++) {
                            loops.add(new ProcessBuilder("redis-cli", "--intrinsic-latency", "120")
                                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                                    .redirectErrorStream(true).start());
                        }
                        rate[at] = clusterDrain(n, drain.onCluster() ? nodes : List.of(single),
                                drain.onCluster() ? clusterNodes : alone, drain.partitions(), drain.pubsub(),
                                drain.crowded() ? ", beside two busy loops" : "");
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    } finally {
                        loops.forEach(Process::destroyForcibly);
                    }
                }
                record("9 cluster", "drain jobs/s, one redis-server, " + n + " no-op jobs", "", rate[0]);
                record("9 cluster", "drain jobs/s, one redis-server, P = 6", "", rate[1]);
                record("9 cluster", "one redis-server P = 6 as a ratio of P = 1 (same run)", "", rate[1] / rate[0]);
                for (int at = 2; at < drains.size(); at++) {
                    Drain drain = drains.get(at);
                    if (!drain.onCluster()) {
                        continue;
                    }
                    String what = "3-master cluster, P = " + drain.partitions()
                            + (drain.pubsub().equals("classic") ? ", classic pub/sub" : "");
                    record("9 cluster", "drain jobs/s, " + what, "", rate[at]);
                    record("9 cluster", what + " as a ratio of one redis-server (same run)", "", rate[at] / rate[0]);
                }
                single.cli("flushall");
                nodes.forEach(node -> node.cli("flushall"));
            }
        }
    }

    /**
     * One drain on the given Redis with {@code partitions} partitions; records commands and CPU per job
     * over all masters, and the spread of commands between them; returns jobs/s. Jobs are enqueued in
     * calls of 100 (a call goes to one partition).
     */
    private double clusterDrain(int n, List<dev.sluice.support.RedisProcesses.Server> servers, String redisSetting,
            int partitions, String pubsub, String note) {
        String namespace = "bench-" + UUID.randomUUID();
        String partitioned = "sluice.partitions=" + partitions;
        String announcing = "sluice.redis.pubsub=" + pubsub;
        List<dev.sluice.support.RedisProcesses.Server> masters = servers.stream()
                .filter(dev.sluice.support.RedisProcesses.Server::isMaster).toList();
        List<String> ids;
        try (ConfigurableApplicationContext producer = appWith(namespace, redisSetting, "sluice.workers.enabled=false",
                partitioned, announcing)) {
            ids = enqueue(producer.getBean(JobSubmitter.class), n, 0, 100);
        }
        long[] commandsBefore = masters.stream().mapToLong(m -> statLong(m, "total_commands_processed")).toArray();
        double[] cpuBefore = masters.stream().mapToDouble(Benchmark::cpuSeconds).toArray();
        Map<String, Long> usecBefore = commandMicros(masters);
        Map<String, Long> callsBefore = commandCalls(masters);
        long t0 = System.nanoTime();
        try (ConfigurableApplicationContext workers = appWith(namespace, redisSetting,
                "sluice.workers.pool-size=" + options.workers(), partitioned, announcing)) {
            QueueInspector inspector = workers.getBean(QueueInspector.class);
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (!idle(inspector.stats()) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String where = (masters.size() == 1 ? "one redis-server" : masters.size() + "-master cluster")
                + (partitions == 1 && masters.size() == 1 ? "" : ", P = " + partitions)
                + (pubsub.equals("classic") ? ", classic pub/sub" : "") + note;
        long[] commands = new long[masters.size()];
        double[] cpuOf = new double[masters.size()];
        double cpu = 0;
        for (int i = 0; i < masters.size(); i++) {
            commands[i] = statLong(masters.get(i), "total_commands_processed") - commandsBefore[i];
            cpuOf[i] = cpuSeconds(masters.get(i)) - cpuBefore[i];
            cpu += cpuOf[i];
        }
        long total = java.util.Arrays.stream(commands).sum();
        // where Redis spent its time (commandstats: calls inside scripts included), printed, not recorded
        Map<String, Long> usec = commandMicros(masters);
        usec.replaceAll((command, micros) -> micros - usecBefore.getOrDefault(command, 0L));
        Map<String, Long> calls = commandCalls(masters);
        calls.replaceAll((command, count) -> count - callsBefore.getOrDefault(command, 0L));
        System.out.printf(Locale.ROOT, "  %s: script calls per job: %.2f (evalsha %.2f)%n", where,
                (calls.getOrDefault("evalsha", 0L) + calls.getOrDefault("eval", 0L)) / (double) n,
                calls.getOrDefault("evalsha", 0L) / (double) n);
        System.out.printf(Locale.ROOT, "  %s: Redis µs per job by command: %s%n", where, usec.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.1f", e.getValue() / (double) n))
                .collect(java.util.stream.Collectors.joining(", ")));
        record("9 cluster", where + ": commands per job, all masters", "", total / (double) n);
        record("9 cluster", where + ": Redis CPU ms per 1,000 jobs, all masters", "", cpu * 1000.0 / (n / 1000.0));
        if (masters.size() > 1) {
            // each master's share of the commands against an even share: the largest departure, in %
            double even = total / (double) masters.size();
            double spread = java.util.Arrays.stream(commands).mapToDouble(c -> Math.abs(c - even) / even * 100).max()
                    .orElse(0);
            record("9 cluster", where + ": largest departure of a master's commands from an even share, %", "", spread);
            long busiest = java.util.Arrays.stream(commands).max().orElse(0);
            record("9 cluster", where + ": the busiest master's commands per job", "", busiest / (double) n);
            // Redis CPU per master: the busiest and the idlest, ms per 1,000 jobs
            record("9 cluster", where + ": the busiest master's Redis CPU ms per 1,000 jobs", "",
                    java.util.Arrays.stream(cpuOf).max().orElse(0) * 1000.0 / (n / 1000.0));
            record("9 cluster", where + ": the idlest master's Redis CPU ms per 1,000 jobs", "",
                    java.util.Arrays.stream(cpuOf).min().orElse(0) * 1000.0 / (n / 1000.0));
        }
        return n / seconds;
    }

    /** INFO commandstats' calls per command, summed over the servers. */
    private static Map<String, Long> commandCalls(List<dev.sluice.support.RedisProcesses.Server> servers) {
        Map<String, Long> calls = new java.util.TreeMap<>();
        for (dev.sluice.support.RedisProcesses.Server server : servers) {
            for (String line : server.info("commandstats").split("\\R")) {
                if (line.startsWith("cmdstat_")) {
                    String count = line.substring(line.indexOf("calls=") + 6);
                    calls.merge(line.substring(8, line.indexOf(':')), Long.parseLong(count.substring(0, count.indexOf(','))),
                            Long::sum);
                }
            }
        }
        return calls;
    }

    /** INFO commandstats' usec per command, summed over the servers. */
    private static Map<String, Long> commandMicros(List<dev.sluice.support.RedisProcesses.Server> servers) {
        Map<String, Long> micros = new java.util.TreeMap<>();
        for (dev.sluice.support.RedisProcesses.Server server : servers) {
            for (String line : server.info("commandstats").split("\\R")) {
                if (line.startsWith("cmdstat_")) {
                    String command = line.substring(8, line.indexOf(':'));
                    String usec = line.substring(line.indexOf("usec=") + 5);
                    micros.merge(command, Long.parseLong(usec.substring(0, usec.indexOf(','))), Long::sum);
                }
            }
        }
        return micros;
    }

    private static long statLong(dev.sluice.support.RedisProcesses.Server server, String field) {
        return Long.parseLong(infoField(server.info("stats"), field));
    }

    private static double cpuSeconds(dev.sluice.support.RedisProcesses.Server server) {
        String cpu = server.info("cpu");
        return Double.parseDouble(infoField(cpu, "used_cpu_sys")) + Double.parseDouble(infoField(cpu, "used_cpu_user"));
    }

    private static String infoField(String info, String field) {
        return info.lines().filter(line -> line.startsWith(field + ":")).findFirst()
                .map(line -> line.substring(field.length() + 1).strip()).orElseThrow();
    }

    private static void requireNoFailures(HttpLoad.Result... results) {
        for (HttpLoad.Result result : results) {
            if (result.failures() > 0 || result.requests() == 0) {
                throw new IllegalStateException("load run had " + result.failures() + " failed of "
                        + result.requests() + " requests");
            }
        }
    }

    // 3: pickup latency

    private void pickup() {
        String namespace = "bench-" + UUID.randomUUID();
        try (ConfigurableApplicationContext app = app(namespace, "sluice.workers.pool-size=" + options.workers())) {
            JobSubmitter submitter = app.getBean(JobSubmitter.class);
            StampJob stamp = app.getBean(StampJob.class);
            ObjectNode empty = JsonNodeFactory.instance.objectNode();
            long interval = 1_000_000_000L / options.rate();
            offer(submitter, stamp, empty, interval, (int) (options.rate() * options.warmUp().toSeconds()));
            for (int run = 0; run < options.runs(); run++) {
                Histogram latency = offer(submitter, stamp, empty, interval,
                        (int) (options.rate() * options.measure().toSeconds()));
                String label = "enqueue-to-start at " + options.rate() + " jobs/s";
                record("3 pickup latency", label + ", p50 ms", "≤ 0.6", latency.percentileMillis(0.50));
                record("3 pickup latency", label + ", p95 ms", "", latency.percentileMillis(0.95));
                record("3 pickup latency", label + ", p99 ms", "≤ 1.5", latency.percentileMillis(0.99));
                record("3 pickup latency", label + ", max ms", "", latency.maxMillis());
                // the floor beside it, in the same run: a pickup is an enqueue, a wake-up and a claim,
                // each at least one Redis round trip
                Histogram roundTrip = roundTrips(app.getBean(StringRedisTemplate.class), interval,
                        (int) (options.rate() * options.measure().toSeconds()));
                record("3 pickup latency", "Redis round trip (PING) at the same pace, p50 ms", "",
                        roundTrip.percentileMillis(0.50));
                record("3 pickup latency", "Redis round trip (PING) at the same pace, p99 ms", "",
                        roundTrip.percentileMillis(0.99));
            }
        }
        clean(namespace);
    }

    /** {@code count} PINGs on the app's own Redis connection, one every {@code interval} ns, timed. */
    private static Histogram roundTrips(StringRedisTemplate redis, long interval, int count) {
        Histogram times = new Histogram();
        paced(interval, count, () -> {
            long t0 = System.nanoTime();
            redis.execute((RedisCallback<String>) c -> c.ping());
            times.record(System.nanoTime() - t0);
        });
        return times;
    }

    /** Runs {@code step} {@code count} times, one every {@code interval} ns (open loop: a slow step is not waited for). */
    private static void paced(long interval, int count, Runnable step) {
        long next = System.nanoTime();
        for (int i = 0; i < count; i++) {
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            step.run();
        }
    }

    /** Offers {@code count} jobs, one every {@code interval} ns (open loop), and returns enqueue-to-start times. */
    private static Histogram offer(JobSubmitter submitter, StampJob stamp, ObjectNode empty, long interval, int count) {
        stamp.started.clear();
        Map<String, Long> sent = new HashMap<>(count * 2);
        paced(interval, count, () -> {
            long t0 = System.nanoTime();
            sent.put(submitter.submit(JobRequest.of("stamp", empty, Priority.NORMAL)).id(), t0);
        });
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (stamp.started.size() < sent.size() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        Histogram latency = new Histogram();
        sent.forEach((id, t0) -> {
            Long started = stamp.started.get(id);
            if (started == null) {
                throw new IllegalStateException("job " + id + " never started");
            }
            latency.record(started - t0);
        });
        return latency;
    }

    // 5: service footprint, the packaged jar in a process of its own with default JVM settings

    private void footprint() throws Exception {
        String namespace = "bench-" + UUID.randomUUID();
        int port = TestRedis.freePort();
        Path log = Files.createTempFile("sluice-bench", ".log");
        long start = System.nanoTime();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", options.jar().toString(), "--server.port=" + port, "--server.address=127.0.0.1",
                "--spring.data.redis.url=" + redisUrl, "--sluice.embedded-redis.enabled=false",
                "--sluice.namespace=" + namespace, "--sluice.api.max-batch-size=" + options.batchSize())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (status(http, base + "/actuator/health/readiness") != 200) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the service did not become ready; see " + log);
                }
                LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
            }
            record("5 footprint", "start-up to ready, s (java -jar, default JVM settings)", "≤ 3",
                    (System.nanoTime() - start) / 1e9);
            String batch = "{\"jobs\":[" + IntStream.range(0, options.batchSize())
                    .mapToObj(i -> "{\"type\":\"noop\"}").collect(Collectors.joining(",")) + "]}";
            for (int sent = 0; sent < options.jobs(); sent += options.batchSize()) {
                http.send(HttpRequest.newBuilder(URI.create(base + "/api/jobs/batch"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(batch))
                        .build(), HttpResponse.BodyHandlers.discarding());
            }
            deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (!drained(http, base) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            record("5 footprint", "resident memory after draining " + options.jobs() + " jobs, MiB", "≤ 300",
                    rssKiB(process.pid()) / 1024.0);
        } finally {
            process.destroy();
            process.waitFor();
            Files.deleteIfExists(log);
            clean(namespace);
        }
    }

    private static boolean drained(HttpClient http, String base) throws IOException, InterruptedException {
        JsonNode queues = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/queues")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        return queues.get("queues").valueStream().mapToLong(JsonNode::asLong).sum() == 0
                && queues.get("running").asLong() == 0;
    }

    private static int status(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static long rssKiB(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(line -> line.startsWith("VmRSS:"))
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                .findFirst().orElse(-1L);
    }

    // plumbing

    private ConfigurableApplicationContext app(String namespace, String... settings) {
        return appOn(redisUrl, namespace, settings);
    }

    private ConfigurableApplicationContext appOn(String url, String namespace, String... settings) {
        return appWith(namespace, "spring.data.redis.url=" + url, settings);
    }

    /** A node whose Redis {@code redisSetting} names (a URL, or a cluster's nodes). */
    private ConfigurableApplicationContext appWith(String namespace, String redisSetting, String... settings) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
                "--" + redisSetting, "--sluice.embedded-redis.enabled=false",
                "--sluice.namespace=" + namespace, "--spring.profiles.active=bench", "--logging.level.root=WARN",
                "--spring.main.banner-mode=off"));
        for (String setting : settings) {
            args.add("--" + setting);
        }
        return new SpringApplicationBuilder(SluiceApplication.class).run(args.toArray(String[]::new));
    }

    /** Removes a namespace's keys: FLUSHALL on the benchmark's own Redis, SCAN + UNLINK on a shared one. */
    private void clean(String namespace) {
        if (ownRedis) {
            redis.execute((RedisCallback<Object>) c -> {
                c.serverCommands().flushAll();
                return null;
            });
            return;
        }
        List<String> batch = new ArrayList<>();
        try (Cursor<String> cursor = redis.scan(ScanOptions.scanOptions()
                .match(new RedisKeys(namespace).everything()).count(1000).build())) {
            while (cursor.hasNext()) {
                batch.add(cursor.next());
                if (batch.size() == 1000) {
                    redis.unlink(batch);
                    batch.clear();
                }
            }
        }
        if (!batch.isEmpty()) {
            redis.unlink(batch);
        }
    }

    private void record(String scenario, String name, String target, double value) {
        System.out.printf(Locale.ROOT, "  measured: %s | %s | %s%n", scenario, name, number(value));
        figures.computeIfAbsent(scenario + "|" + name, k -> new Figure(scenario, name, target, new ArrayList<>()))
                .values().add(value);
    }

    Map<String, Figure> figures() {
        return figures;
    }

    private String report() throws IOException {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Sluice benchmark: %d cores (%s), %s %s, Redis %s at %s (%s), "
                        + "%d run(s), min / median / max%n%n", Runtime.getRuntime().availableProcessors(), cpuModel(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), RedisInfo.version(redis),
                redisUrl, ownRedis ? "its own embedded server, no persistence" : "given", options.runs()));
        out.append("| scenario | figure | min | median | max | target |\n| --- | --- | ---: | ---: | ---: | --- |\n");
        for (Figure figure : figures.values()) {
            out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", figure.scenario(),
                    figure.name(), number(figure.min()), number(figure.median()), number(figure.max()), figure.target()));
        }
        return out.toString();
    }

    private static String number(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.2f", value);
    }

    private static String cpuModel() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.exists(cpuinfo)) {
            return System.getProperty("os.arch");
        }
        return Files.readAllLines(cpuinfo).stream().filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 1).trim()).findFirst()
                .orElse(System.getProperty("os.arch"));
    }
}
