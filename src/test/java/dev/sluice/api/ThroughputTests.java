package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import tools.jackson.databind.JsonNode;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

/** Throughput per minute, kept in Redis by the outcome scripts and read back at GET /api/stats. */
@TestPropertySource(properties = {"sluice.retry.backoff=10ms", "sluice.retry.max-backoff=20ms"})
class ThroughputTests extends IntegrationTest {

    @Test
    void outcomesAreCountedPerMinuteStateAndTypeAndTheRangeIsBounded() {
        for (int i = 0; i < 5; i++) {
            api.submit("{\"type\":\"add\",\"payload\":{\"x\":" + i + ",\"y\":1}}");
        }
        String dead = api.submit("{\"type\":\"fail\",\"payload\":{\"message\":\"no\"},\"maxAttempts\":2}");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.state(dead).equals("dead"));
        awaitQuiet();

        JsonNode stats = api.get("/api/stats?range=5m").json();
        assertThat(stats.get("minutes").size()).isEqualTo(5);
        long succeeded = 0;
        long retrying = 0;
        long deadCount = 0;
        Instant previous = Instant.EPOCH;
        for (JsonNode minute : stats.get("minutes")) {
            Instant at = Instant.parse(minute.get("at").asString());
            assertThat(at).isAfter(previous);
            previous = at;
            succeeded += minute.path("byType").path("add").path("succeeded").asLong(0);
            retrying += minute.path("byType").path("fail").path("retrying").asLong(0);
            deadCount += minute.path("total").path("dead").asLong(0);
        }
        assertThat(succeeded).isEqualTo(5);
        assertThat(retrying).as("the first failed attempt").isEqualTo(1);
        assertThat(deadCount).isEqualTo(1);

        assertThat(api.get("/api/stats").json().get("minutes").size()).as("default 1h").isEqualTo(60);
        for (String bad : new String[] {"25h", "30s", "soon", "5"}) {
            Api.Response refused = api.get("/api/stats?range=" + bad);
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("range");
        }
    }
}
