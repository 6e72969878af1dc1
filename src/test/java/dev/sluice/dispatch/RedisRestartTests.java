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

import dev.sluice.support.Api;
import dev.sluice.support.Ledger;
import dev.sluice.support.ProbeJob;
import dev.sluice.support.TestNode;
import dev.sluice.support.TestRedis;

/** A real redis-server with an append-only file, stopped and started again while jobs run. */
class RedisRestartTests {

    private final TestRedis.EmbeddedServer server = TestRedis.EmbeddedServer.start(true);
    private TestNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        server.stop();
    }

    @Test
    void theServiceRidesOutARedisRestartAndLosesNothingItAccepted() {
        node = TestNode.start(server.url(), "test-" + UUID.randomUUID(), "sluice.workers.pool-size=2",
                "sluice.dispatch.heartbeat=500ms", "sluice.dispatch.lease=5s");
        Api api = node.api();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add(api.submit(ProbeJob.json("before" + i, 50, false, "normal")));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> node.probe().totalExecutions() >= 4);

        server.stop();

        Api.Response refused = api.post("/api/jobs", ProbeJob.json("during", 0, false, "normal"));
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.retryAfter()).isNotBlank();
        assertThat(refused.json().get("type").asString()).isEqualTo("/problems/redis-unavailable");
        JsonNode health = api.get("/actuator/health").json();
        assertThat(health.get("components").get("redis").get("status").asString()).isEqualTo("DOWN");
        assertThat(api.get("/actuator/health/readiness").status()).isEqualTo(503);

        server.start();

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> api.post("/api/jobs", ProbeJob.json("after", 0, false, "high")).status() == 202);
        ids.add(api.submit(ProbeJob.json("after-restart", 0, false, "high")));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> ids.stream().allMatch(id -> api.state(id).equals("succeeded")));
        Ledger.check(api, ids);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/actuator/health/readiness").status() == 200);
    }
}
