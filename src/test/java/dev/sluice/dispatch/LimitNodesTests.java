package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import dev.sluice.support.Api;
import dev.sluice.support.ProbeJob;
import dev.sluice.support.TestNode;
import dev.sluice.support.TestRedis;

/**
 * Concurrency caps across two whole nodes (8 workers each) on one Redis: the cap holds over both, the
 * other type uses the rest of the workers meanwhile, a cap changed on one node applies on both at once,
 * and every token is back at the end.
 */
class LimitNodesTests {

    private final String namespace = "test-" + UUID.randomUUID();
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        if (!nodes.isEmpty()) {
            var redis = nodes.get(0).redis();
            redis.delete(redis.keys(nodes.get(0).keys().everything()));
            nodes.forEach(TestNode::close);
        }
    }

    private TestNode start() {
        TestNode node = TestNode.start(TestRedis.url(), namespace, "sluice.workers.pool-size=8");
        nodes.add(node);
        return node;
    }

    @Test
    void aCapHoldsOverTwoNodesWhileTheOtherTypeUsesTheRestAndARaisedCapAppliesOnBoth() {
        TestNode a = start();
        TestNode b = start();
        assertThat(limits(a, "{\"concurrency\":3}").status()).isEqualTo(200);

        List<String> capped = new ArrayList<>();
        List<String> other = new ArrayList<>();
        submit(a, IntStream.range(0, 200).mapToObj(i -> i % 2 == 0 ? ProbeJob.json("c" + i, 15, false, "normal")
                : "{\"type\":\"sleep\",\"payload\":{\"duration\":\"40ms\"}}").toList(), capped, other);
        Api api = b.api();
        List<String> all = new ArrayList<>(capped);
        all.addAll(other);
        await().atMost(Duration.ofSeconds(60)).until(() -> all.stream().allMatch(id -> api.state(id).equals("succeeded")));

        List<long[]> cappedRuns = runs(api, capped);
        assertThat(peak(cappedRuns)).as("capped jobs running at once, by Redis time, over both nodes").isEqualTo(3);
        assertThat(a.probe().maxRunning() + b.probe().maxRunning()).as("as the handlers saw it").isLessThanOrEqualTo(6);
        assertThat(Math.max(a.probe().maxRunning(), b.probe().maxRunning())).isLessThanOrEqualTo(3);
        // the other type is not held up behind the parked capped jobs: it fills the other workers
        assertThat(peak(runs(api, other))).as("sleep jobs running at once").isGreaterThanOrEqualTo(8);
        assertThat(cappedRuns.stream().mapToLong(r -> r[0]).min().orElseThrow())
                .as("the first capped job did not wait for the other type").isLessThan(
                        runs(api, other).stream().mapToLong(r -> r[1]).max().orElseThrow());

        // raised on node b: node a's claims follow at once
        assertThat(limits(b, "{\"concurrency\":6}").status()).isEqualTo(200);
        List<String> more = new ArrayList<>();
        submit(a, IntStream.range(0, 60).mapToObj(i -> ProbeJob.json("m" + i, 60, false, "normal")).toList(), more,
                new ArrayList<>());
        await().atMost(Duration.ofSeconds(60)).until(() -> more.stream().allMatch(id -> api.state(id).equals("succeeded")));
        List<long[]> moreRuns = runs(api, more);
        assertThat(peak(moreRuns)).isEqualTo(6);
        Set<String> ranOn = more.stream().map(id -> api.job(id).get("node").asString()).collect(Collectors.toSet());
        assertThat(ranOn).as("both nodes ran them").containsExactlyInAnyOrder(a.id(), b.id());

        JsonNode queues = api.get("/api/queues").json();
        assertThat(queues.get("limits").get("probe").get("running").asLong()).isZero();
        queues.get("nodes").valueStream().forEach(node -> {
            assertThat(node.get("consistent").asBoolean()).isTrue();
            assertThat(node.get("freeWorkers").asInt()).isEqualTo(8);
        });
    }

    private static Api.Response limits(TestNode node, String body) {
        return node.api().put("/api/job-types/probe/limits", body);
    }

    /** Submits in one batch (so the pace of submission does not decide the overlap); sorts ids by type. */
    private static void submit(TestNode node, List<String> jobs, List<String> probeIds, List<String> otherIds) {
        Api.Response response = node.api().post("/api/jobs/batch", "{\"jobs\":[" + String.join(",", jobs) + "]}");
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        List<String> ids = response.json().get("ids").valueStream().map(JsonNode::asString).toList();
        for (int i = 0; i < ids.size(); i++) {
            (jobs.get(i).contains("\"probe\"") ? probeIds : otherIds).add(ids.get(i));
        }
    }

    /** Each job's [start, end] in Redis milliseconds: the claim took its slot, the completion gave it back. */
    private static List<long[]> runs(Api api, List<String> ids) {
        return ids.stream().map(api::job).map(job -> new long[] {
            Instant.parse(job.get("startedAt").asString()).toEpochMilli(),
            Instant.parse(job.get("finishedAt").asString()).toEpochMilli() }).toList();
    }

    /** The most intervals open at one instant; an end at t is counted before a start at t. */
    private static int peak(List<long[]> runs) {
        List<long[]> events = new ArrayList<>();
        runs.forEach(run -> {
            events.add(new long[] {run[0], 1});
            events.add(new long[] {run[1], -1});
        });
        events.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));
        int open = 0;
        int peak = 0;
        for (long[] event : events) {
            open += (int) event[1];
            peak = Math.max(peak, open);
        }
        return peak;
    }
}
