package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sluice.queue.Partitions;
import dev.sluice.support.Api;
import dev.sluice.support.Ledger;
import dev.sluice.support.ProbeJob;
import dev.sluice.support.TestNode;
import dev.sluice.support.TestRedis;

/**
 * A partitioned namespace ({@code sluice.partitions: 3}) on one Redis: jobs are placed across the
 * partitions and found again by id, nodes claim from all of them without more jobs than workers, a
 * high job waiting anywhere goes before normal ones, and what is built per partition (reaping,
 * listings, batches, cancel, retry) works across them. The same on a Redis Cluster is
 * {@link RedisClusterTests}.
 */
class PartitionTests {

    private static final int P = 3;
    private final String namespace = "test-" + UUID.randomUUID();
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(TestNode::close);
    }

    private TestNode node(String... settings) {
        List<String> all = new ArrayList<>(List.of("sluice.partitions=" + P, "sluice.dispatch.heartbeat=500ms",
                "sluice.dispatch.reaper-interval=500ms"));
        all.addAll(List.of(settings));
        TestNode node = TestNode.start(TestRedis.url(), namespace, all.toArray(String[]::new));
        nodes.add(node);
        return node;
    }

    private static int partitionOf(String id) {
        return new Partitions("unused", P).partitionOf(id);
    }

    @Test
    void jobsSpreadOverThePartitionsAndTwoNodesDrainThemAll() {
        TestNode a = node("sluice.workers.pool-size=3");
        TestNode b = node("sluice.workers.pool-size=2");
        List<String> ids = new ArrayList<>();
        Map<Integer, Integer> perPartition = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            String extra = i % 3 == 0 ? "\"key\":\"tenant-" + (i % 7) + "\"" : "";
            String id = (i % 2 == 0 ? a : b).api().submit(ProbeJob.json("p" + i, 5, false,
                    List.of("high", "normal", "low").get(i % 3), extra));
            ids.add(id);
            perPartition.merge(partitionOf(id), 1, Integer::sum);
            // the job's hash lives in the partition its id names, and nowhere else
            assertThat(a.redis().hasKey(new Partitions(namespace, P).of(id).job(id)))
                    .as("job %s in partition %d", id, partitionOf(id)).isTrue();
            assertThat(a.redis().hasKey(new Partitions(namespace, P).get((partitionOf(id) + 1) % P).job(id)))
                    .as("job %s in another partition", id).isFalse();
        }
        assertThat(perPartition.keySet()).containsExactlyInAnyOrder(0, 1, 2);
        perPartition.values().forEach(n -> assertThat(n).isGreaterThan(30));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Ledger.check(a.api(), ids)).isZero());
        assertThat(a.probe().totalExecutions() + b.probe().totalExecutions()).isEqualTo(ids.size());
        assertThat(a.probe().totalExecutions()).isPositive();
        assertThat(b.probe().totalExecutions()).isPositive();
        // never more jobs at once than workers, and every token back in partition 0
        assertThat(a.probe().maxRunning()).isLessThanOrEqualTo(3);
        assertThat(b.probe().maxRunning()).isLessThanOrEqualTo(2);
        assertThat(a.redis().opsForList().size(new Partitions(namespace, P).home().freeWorkers(a.id()))).isEqualTo(3);
        assertThat(a.redis().opsForList().size(new Partitions(namespace, P).home().freeWorkers(b.id()))).isEqualTo(2);
        // the same key always lands in the same partition
        Map<String, Set<Integer>> byKey = new HashMap<>();
        for (String id : ids) {
            JsonNode job = a.api().job(id);
            if (job.hasNonNull("key")) {
                byKey.computeIfAbsent(job.get("key").asString(), k -> new HashSet<>()).add(partitionOf(id));
            }
        }
        byKey.forEach((key, partitions) -> assertThat(partitions).as("partitions of key %s", key).hasSize(1));
        // listings and the queue summary read every partition
        JsonNode queues = a.api().get("/api/queues").json();
        assertThat(queues.get("nodes")).hasSize(2);
        // cursor pages merge the partitions newest first: every job once, in order of finishing
        List<String> listed = new ArrayList<>();
        List<Instant> finished = new ArrayList<>();
        String next = "";
        int pages = 0;
        while (next != null) {
            JsonNode page = a.api().get("/api/jobs?state=succeeded&size=70&cursor=" + next).json();
            page.get("items").forEach(job -> {
                listed.add(job.get("id").asString());
                finished.add(Instant.parse(job.get("finishedAt").asString()));
            });
            next = page.hasNonNull("nextCursor") ? page.get("nextCursor").asString() : null;
            pages++;
        }
        assertThat(pages).isGreaterThan(4);
        assertThat(listed).containsExactlyInAnyOrderElementsOf(ids);
        for (int i = 1; i < finished.size(); i++) {
            assertThat(finished.get(i)).as("newest first across partitions").isBeforeOrEqualTo(finished.get(i - 1));
        }
        // offset pages too: the same order, every job once
        List<String> byOffset = new ArrayList<>();
        for (int page = 0; page < 5; page++) {
            JsonNode body = a.api().get("/api/jobs?state=succeeded&size=60&page=" + page).json();
            assertThat(body.get("total").asInt()).isEqualTo(ids.size());
            body.get("items").forEach(job -> byOffset.add(job.get("id").asString()));
        }
        assertThat(byOffset).isEqualTo(listed);
    }

    @Test
    void cancelRetryIdempotencyAndBatchesFindTheirPartition() {
        TestNode a = node("sluice.workers.pool-size=2");
        Api api = a.api();
        // a scheduled job is cancelled in its partition
        String later = api.submit(ProbeJob.json("later", 0, false, "normal", "\"delay\":\"1h\""));
        assertThat(api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port() + "/api/jobs/" + later))
                .DELETE()).status()).isEqualTo(200);
        assertThat(api.state(later)).isEqualTo("cancelled");
        // a failed job is retried in its partition
        String failing = api.submit(ProbeJob.failing("fails", 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> api.state(failing).equals("failed"));
        a.probe().heal();
        assertThat(api.post("/api/jobs/" + failing + "/retry", "").status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> api.state(failing).equals("succeeded"));
        // the same Idempotency-Key finds the first job, whichever node and partition
        Api.Response first = api.post("/api/jobs", ProbeJob.json("once", 0, false, "normal"), "Idempotency-Key", "k-1");
        Api.Response again = api.post("/api/jobs", ProbeJob.json("once", 0, false, "normal"), "Idempotency-Key", "k-1");
        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
        // a batch lives in one partition with its jobs, and its progress is read there
        Api.Response batch = api.post("/api/batches", "{\"jobs\":[" + ProbeJob.json("b1", 0, false, "normal") + ","
                + ProbeJob.json("b2", 0, false, "high") + "]}");
        assertThat(batch.status()).isEqualTo(202);
        String batchId = batch.json().get("id").asString();
        batch.json().get("jobIds").forEach(job -> assertThat(partitionOf(job.asString()))
                .isEqualTo(partitionOf(batchId)));
        JsonNode done = api.get("/api/batches/" + batchId + "?wait=20s").json();
        assertThat(done.get("states").get("succeeded").asInt()).isEqualTo(2);
    }

    /**
     * Capacity is a per-partition share (6 over 3 partitions: 2 each); a submission placed freely that
     * finds its partition full goes to another, so the namespace fills to its whole capacity before a
     * 429, and a keyed one (its partition fixed) gets the 429 of its own partition.
     */
    @Test
    void aFreelyPlacedSubmissionFindsRoomInAnotherPartition() {
        TestNode a = node("sluice.workers.enabled=false", "sluice.queues.capacity=6");
        Api api = a.api();
        for (int round = 0; round < 3; round++) {
            List<String> accepted = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                accepted.add(api.submit(ProbeJob.json("c" + i, 0, false, "normal")));
            }
            Api.Response refused = api.post("/api/jobs", ProbeJob.json("over", 0, false, "normal"));
            assertThat(refused.status()).as(refused.body()).isEqualTo(429);
            assertThat(refused.json().get("type").asString()).isEqualTo("/problems/queue-full");
            Map<Integer, Integer> perPartition = new HashMap<>();
            accepted.forEach(id -> perPartition.merge(partitionOf(id), 1, Integer::sum));
            assertThat(perPartition).containsOnly(Map.entry(0, 2), Map.entry(1, 2), Map.entry(2, 2));
            accepted.forEach(id -> assertThat(api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + a.port() + "/api/jobs/" + id)).DELETE()).status()).isEqualTo(200));
        }
    }

    /** Queued jobs are listed high of every partition first, then normal, then low, each job once. */
    @Test
    void theQueuedListingOrdersPrioritiesAcrossPartitions() {
        TestNode a = node("sluice.workers.enabled=false");
        Api api = a.api();
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            submitted.add(api.submit(ProbeJob.json("q" + i, 0, false, List.of("low", "normal", "high").get(i % 3),
                    i % 2 == 0 ? "\"key\":\"k" + i + "\"" : "")));
        }
        Set<Integer> used = new HashSet<>();
        submitted.forEach(id -> used.add(partitionOf(id)));
        assertThat(used).hasSize(P);
        List<String> priorities = new ArrayList<>();
        List<String> listed = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            JsonNode body = api.get("/api/jobs?state=queued&size=10&page=" + page).json();
            body.get("items").forEach(job -> {
                listed.add(job.get("id").asString());
                priorities.add(job.get("priority").asString());
            });
        }
        assertThat(listed).containsExactlyInAnyOrderElementsOf(submitted);
        List<String> sorted = new ArrayList<>(priorities);
        sorted.sort(java.util.Comparator.comparingInt(List.of("high", "normal", "low")::indexOf));
        assertThat(priorities).isEqualTo(sorted);
        assertThat(api.get("/api/jobs?state=queued&size=10").json().get("total").asInt()).isEqualTo(30);
    }

    /**
     * An order (a record and its first job, written together) lives in one partition, chosen by its
     * customer; its later steps run wherever they are placed and update it there; a customer's orders
     * are listed from every partition. (Remote workers on partitions: {@code PartitionedRemoteWorkerTests}.)
     */
    @Test
    void ordersLiveInOnePartitionAndRemoteTypesInEvery() {
        TestNode a = node("sluice.workers.pool-size=4", "sluice.orders.payment=20ms", "sluice.orders.picking=20ms",
                "sluice.orders.shipping=20ms", "sluice.orders.delivery=20ms", "sluice.orders.payment-failures=0");
        Api api = a.api();
        List<String> orders = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        // keyless orders are placed by the depths the node last saw (power of two choices), which can
        // favour one partition for a while: go on until a second one is used, within 30 orders
        for (int i = 0; i < 30 && (i < 6 || used.size() < 2); i++) {
            String email = "c" + i + "-" + UUID.randomUUID() + "@example.com";
            Api.Response placed = api.post("/api/orders", "{\"customer\":{\"name\":\"Ada\",\"email\":\"" + email
                    + "\"},\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":1,\"unitPrice\":12.50}],"
                    + "\"shipping\":\"standard\"}");
            assertThat(placed.status()).as(placed.body()).isEqualTo(202);
            String id = placed.json().get("id").asString();
            orders.add(id);
            used.add(partitionOf(id));
            await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/orders/" + id).json().get("state")
                    .asString().equals("delivered"));
            assertThat(api.get("/api/orders?customer=" + email).json()).hasSize(1);
        }
        assertThat(used).as("partitions the orders went to").hasSizeGreaterThan(1);

        // a remote type is defined in every partition (each enqueue checks its own copy)
        Api.Response type = api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port()
                + "/api/job-types/resize")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"description\":\"resize\",\"payloadSchema\":true}")));
        assertThat(type.status()).as(type.body()).isEqualTo(200);
        for (int p = 0; p < P; p++) {
            assertThat(a.redis().hasKey(new Partitions(namespace, P).get(p).jobType("resize"))).isTrue();
        }
    }

    /**
     * A priority inversion is a job starting while a job of a higher priority has waited, in some
     * partition, for longer than one claim cycle. One worker, so starts are strictly ordered: low and
     * normal jobs fill every partition, then high jobs arrive (spread over the partitions by key) while
     * they run; no job may start after a higher-priority job was queued and before that one starts,
     * past a slack of one cycle (the job running when it arrived and the claim in flight).
     */
    @Test
    void noJobStartsWhileAHigherPriorityJobWaitsInAnyPartition() {
        TestNode a = node("sluice.workers.pool-size=1");
        Api api = a.api();
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            all.add(api.submit(ProbeJob.json("n" + i, 10, false, i % 2 == 0 ? "low" : "normal")));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> a.probe().totalExecutions() >= 3);
        List<String> high = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            high.add(api.submit(ProbeJob.json("h" + i, 10, false, "high", "\"key\":\"k" + i + "\"")));
        }
        Set<Integer> highPartitions = new HashSet<>();
        high.forEach(id -> highPartitions.add(partitionOf(id)));
        assertThat(highPartitions).as("high jobs in several partitions").hasSizeGreaterThan(1);
        all.addAll(high);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(Ledger.check(api, all)).isZero());

        Map<String, Instant> started = new HashMap<>();
        Map<String, Instant> created = new HashMap<>();
        Map<String, Integer> rank = new HashMap<>();
        all.forEach(id -> {
            JsonNode job = api.job(id);
            started.put(id, Instant.parse(job.get("startedAt").asString()));
            created.put(id, Instant.parse(job.get("createdAt").asString()));
            rank.put(id, List.of("high", "normal", "low").indexOf(job.get("priority").asString()));
        });
        Duration slack = Duration.ofMillis(40);
        int inversions = 0;
        for (String higher : all) {
            for (String lower : all) {
                Instant start = started.get(lower);
                if (rank.get(lower) > rank.get(higher) && start.isAfter(created.get(higher).plus(slack))
                        && start.isBefore(started.get(higher))) {
                    inversions++;
                }
            }
        }
        assertThat(inversions).as("jobs started while a higher-priority job had waited more than one cycle").isZero();
    }
}
