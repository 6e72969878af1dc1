package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sluice.support.Api;
import dev.sluice.support.Ledger;
import dev.sluice.support.ProbeJob;
import dev.sluice.support.TestNode;
import dev.sluice.support.TestRedis;

/**
 * A deploy: two nodes under load, each stopped the way SIGTERM stops it (drain, put back, leave) and
 * started again, one at a time. Nothing accepted is lost, and nothing runs twice: short jobs finish
 * within the drain.
 */
class RollingRestartTests {

    private final String namespace = "test-" + UUID.randomUUID();
    private final List<TestNode> started = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(TestNode::close);
    }

    private TestNode start() {
        TestNode node = TestNode.start(TestRedis.url(), namespace, "sluice.workers.pool-size=4",
                "sluice.dispatch.heartbeat=500ms", "sluice.dispatch.lease=5s", "sluice.dispatch.drain-timeout=10s");
        started.add(node);
        return node;
    }

    @Test
    void aRollingRestartUnderLoadLosesNothingAndRunsNothingTwice() throws Exception {
        AtomicReference<TestNode> a = new AtomicReference<>(start());
        AtomicReference<TestNode> b = new AtomicReference<>(start());
        List<String> accepted = new CopyOnWriteArrayList<>();
        AtomicBoolean loading = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (int i = 0; i < 5000 && loading.get() && System.nanoTime() < end; i++) {
                for (AtomicReference<TestNode> target : List.of(i % 2 == 0 ? a : b, i % 2 == 0 ? b : a)) {
                    try {
                        Api.Response response = target.get().api().post("/api/jobs", ProbeJob.json("r" + i, 20, false,
                                "normal"));
                        if (response.status() == 202) {
                            accepted.add(response.json().get("id").asString());
                            break;
                        }
                    } catch (RuntimeException nodeGoingAway) {
                        // this node is stopping: the other one takes the job
                    }
                }
            }
        }, "rolling-load");
        load.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() > 50);

        for (AtomicReference<TestNode> node : List.of(a, b)) {
            TestNode old = node.get();
            old.close();
            node.set(start());
            int before = accepted.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> accepted.size() > before + 50);
        }
        loading.set(false);
        load.join(Duration.ofSeconds(30).toMillis());

        Api api = a.get().api();
        await().atMost(Duration.ofSeconds(60)).until(() -> accepted.stream().allMatch(id -> api.state(id).equals("succeeded")));
        Map<String, Integer> runs = new ConcurrentHashMap<>();
        for (TestNode node : started) {
            for (String id : accepted) {
                runs.merge(id, node.probe().executions(id), Integer::sum);
            }
        }
        List<String> twice = new ArrayList<>();
        runs.forEach((id, count) -> {
            if (count != 1) {
                twice.add(id + " ran " + count + " times");
            }
        });
        assertThat(accepted.size()).isGreaterThan(150);
        assertThat(twice).as("every accepted job ran exactly once").isEmpty();
        Ledger.check(api, accepted);
        org.slf4j.LoggerFactory.getLogger(RollingRestartTests.class).info("Rolling restart: {} jobs accepted, 0 lost, "
                + "{} run twice", accepted.size(), twice.size());
        assertThat(Ledger.nodeIds(api)).containsExactlyInAnyOrder(a.get().id(), b.get().id());
    }
}
