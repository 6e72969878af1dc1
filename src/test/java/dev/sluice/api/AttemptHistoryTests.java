package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import tools.jackson.databind.JsonNode;

import dev.sluice.support.IntegrationTest;

/** A job's view lists its attempts: each one that failed, then the one that succeeded; the last N only. */
@TestPropertySource(properties = {"sluice.retry.backoff=10ms", "sluice.retry.max-backoff=20ms",
    "sluice.jobs.attempt-history=2"})
class AttemptHistoryTests extends IntegrationTest {

    @Test
    void eachAttemptIsListedWithWhereWhenAndHowItEnded() {
        String id = api.submit("{\"type\":\"flaky\",\"payload\":{\"failures\":3},\"maxAttempts\":4}");
        await().atMost(Duration.ofSeconds(20)).until(() -> api.state(id).equals("succeeded"));

        JsonNode history = api.job(id).get("attemptHistory");
        List<Integer> numbers = history.valueStream().map(a -> a.get("attempt").asInt()).toList();
        assertThat(numbers).as("the last 2 failures, then the success").containsExactly(2, 3, 4);
        assertThat(history.valueStream().map(a -> a.get("outcome").asString()).toList())
                .containsExactly("failed", "failed", "succeeded");
        for (JsonNode attempt : history) {
            assertThat(attempt.get("node").asString()).isNotBlank();
            assertThat(java.time.Instant.parse(attempt.get("endedAt").asString()))
                    .isAfterOrEqualTo(java.time.Instant.parse(attempt.get("startedAt").asString()));
        }
        assertThat(history.get(0).get("error").asString()).isNotBlank();
        assertThat(history.get(2).get("error").isNull()).isTrue();
    }
}
