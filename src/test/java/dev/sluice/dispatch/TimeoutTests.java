package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.sluice.config.NodeId;
import dev.sluice.support.IntegrationTest;

@TestPropertySource(properties = {"sluice.workers.pool-size=2", "sluice.retry.backoff=50ms"})
class TimeoutTests extends IntegrationTest {

    @Autowired
    NodeId node;

    @Test
    void aJobThatRunsOverItsTimeoutIsInterruptedAndFailsAndItsWorkerIsFreed() {
        String id = api.submit("{\"type\":\"sleep\",\"timeout\":\"300ms\",\"maxAttempts\":1,"
                + "\"payload\":{\"duration\":\"1h\"}}");

        JsonNode failed = api.get("/api/jobs/" + id + "?wait=10s").json();

        assertThat(failed.get("state").asString()).isEqualTo("failed");
        assertThat(failed.get("error").get("type").asString()).isEqualTo("Timeout");
        assertThat(failed.get("error").get("message").asString()).contains("300 ms");
        assertThat(failed.get("timeout").asString()).isEqualTo("PT0.3S");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> redis.opsForList().size(keys.freeWorkers(node.value())) == 2);
    }

    @Test
    void aTimeoutFollowsTheRetryRules() {
        String id = api.submit("{\"type\":\"sleep\",\"timeout\":\"200ms\",\"maxAttempts\":2,"
                + "\"payload\":{\"duration\":\"1h\"}}");

        JsonNode dead = await().atMost(Duration.ofSeconds(10)).until(() -> api.job(id),
                job -> job.get("state").asString().equals("dead"));

        assertThat(dead.get("attempts").asInt()).isEqualTo(2);
        assertThat(dead.get("error").get("type").asString()).isEqualTo("Timeout");
    }

    @Test
    void aJobWithinItsTimeoutIsNotDisturbed() {
        String id = api.submit("{\"type\":\"sleep\",\"timeout\":\"5s\",\"payload\":{\"duration\":\"100ms\"}}");

        assertThat(api.get("/api/jobs/" + id + "?wait=10s").json().get("state").asString()).isEqualTo("succeeded");
    }
}
