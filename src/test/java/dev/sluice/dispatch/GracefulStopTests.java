package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.sluice.support.Ledger;
import dev.sluice.support.ProbeJob;
import dev.sluice.support.TestNode;
import dev.sluice.support.TestRedis;

/** Two nodes on one Redis; one of them is stopped the way SIGTERM stops it. */
class GracefulStopTests {

    private final String namespace = "test-" + UUID.randomUUID();
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void stopNodes() {
        TestNode any = nodes.get(nodes.size() - 1);
        var redis = any.redis();
        var pattern = any.keys().everything();
        redis.delete(redis.keys(pattern));
        nodes.forEach(TestNode::close);
    }

    private TestNode node(String... settings) {
        TestNode node = TestNode.start(TestRedis.url(), namespace, settings);
        nodes.add(node);
        return node;
    }

    @Test
    void stoppingOneOfTwoNodesUnderLoadLosesNothingAndRunsNothingTwice() {
        TestNode a = node("sluice.workers.pool-size=4");
        TestNode b = node("sluice.workers.pool-size=4");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            ids.add(a.api().submit(ProbeJob.json("job" + i, 40, false, "normal")));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> a.probe().totalExecutions() >= 8);

        a.close();

        await().atMost(Duration.ofSeconds(30))
                .until(() -> ids.stream().allMatch(id -> b.api().state(id).equals("succeeded")));
        assertThat(Ledger.check(b.api(), ids)).as("jobs delivered twice").isZero();
        for (String id : ids) {
            assertThat(a.probe().executions(id) + b.probe().executions(id)).as("runs of %s", id).isEqualTo(1);
        }
        assertThat(a.probe().totalExecutions()).isPositive();
        assertThat(b.probe().totalExecutions()).isPositive();
        assertThat(Ledger.nodeIds(b.api())).containsExactly(b.id());
        assertThat(b.redis().hasKey(b.keys().freeWorkers(a.id()))).isFalse();
    }

    @Test
    void aJobStillRunningWhenTheDrainEndsGoesBackToTheHeadOfItsQueueAndRunsOnTheOtherNode() {
        TestNode a = node("sluice.workers.pool-size=1", "sluice.dispatch.drain-timeout=300ms");
        String id = a.api().submit(ProbeJob.json("stubborn", 0, true, "low"));
        await().atMost(Duration.ofSeconds(10)).until(() -> a.probe().running() == 1);
        TestNode b = node("sluice.workers.pool-size=1", "sluice.dispatch.idle-poll=100ms");
        b.probe().open();

        a.close();

        JsonNode done = b.api().get("/api/jobs/" + id + "?wait=20s").json();
        assertThat(done.get("state").asString()).isEqualTo("succeeded");
        assertThat(done.get("attempts").asInt()).isEqualTo(2);
        assertThat(done.get("result").asString()).isEqualTo("stubborn#2");
        assertThat(done.get("node").asString()).isEqualTo(b.id());
        assertThat(Ledger.check(b.api(), List.of(id))).isEqualTo(1);
    }
}
