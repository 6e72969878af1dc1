package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.IntegrationTest;

@TestPropertySource(properties = "sluice.workers.enabled=false")
class ApiOnlyNodeTests extends IntegrationTest {

    @Test
    void anApiOnlyNodeAcceptsJobsButRunsNoneAndRegistersNoWorkers() {
        String id = api.submit("{\"type\":\"noop\"}");

        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> api.state(id).equals("queued"));
        JsonNode queues = api.get("/api/queues").json();
        assertThat(queues.get("nodes").size()).isZero();
        assertThat(queues.get("queues").get("normal").asInt()).isEqualTo(1);
        JsonNode health = api.get("/actuator/health").json();
        assertThat(health.get("status").asString()).isEqualTo("UP");
        assertThat(health.get("components").get("dispatcher").get("details").get("workers").asString())
                .startsWith("disabled");
    }
}
