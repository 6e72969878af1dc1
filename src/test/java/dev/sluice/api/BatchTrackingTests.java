package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

@TestPropertySource(properties = "sluice.retry.backoff=20ms")
class BatchTrackingTests extends IntegrationTest {

    @AfterEach
    void release() {
        probe.reset();
    }

    @Test
    void aBatchCountsItsJobsByStateAndWaitingEndsWhenAllAreFinished() {
        Api.Response accepted = api.post("/api/batches", "{\"jobs\":["
                + "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1}},"
                + "{\"type\":\"add\",\"payload\":{\"x\":2,\"y\":2},\"priority\":\"high\"},"
                + "{\"type\":\"fail\",\"payload\":{\"message\":\"no\"}},"
                + "{\"type\":\"flaky\",\"maxAttempts\":2,\"payload\":{\"failures\":5}},"
                + "{\"type\":\"probe\",\"payload\":{\"label\":\"slow\",\"holdMs\":300}}]}");

        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.json().get("id").asString();
        assertThat(accepted.location()).isEqualTo("/api/batches/" + id);
        assertThat(accepted.json().get("total").asInt()).isEqualTo(5);
        assertThat(accepted.json().get("jobIds").size()).isEqualTo(5);
        assertThat(accepted.json().get("finished").asBoolean()).isFalse();

        JsonNode done = api.get("/api/batches/" + id + "?wait=20s").json();

        assertThat(done.get("finished").asBoolean()).isTrue();
        assertThat(done.get("states").get("succeeded").asInt()).isEqualTo(3);
        assertThat(done.get("states").get("failed").asInt()).isEqualTo(1);
        assertThat(done.get("states").get("dead").asInt()).isEqualTo(1);
        assertThat(done.get("states").get("queued").asInt() + done.get("states").get("running").asInt()).isZero();
        String first = done.get("jobIds").get(0).asString();
        assertThat(api.job(first).get("batch").asString()).isEqualTo(id);
    }

    @Test
    void aBatchWithAnInvalidJobIsRefusedWholeAndAnUnknownBatchIs404() {
        Set<String> before = namespaceKeys();

        Api.Response refused = api.post("/api/batches", "{\"jobs\":[{\"type\":\"noop\"},{\"type\":\"add\"}]}");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().get("errors").get(0).get("field").asString()).startsWith("jobs[1].payload");
        assertThat(namespaceKeys()).isEqualTo(before);
        Api.Response missing = api.get("/api/batches/no-such-batch");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("type").asString()).isEqualTo("/problems/batch-not-found");
    }

    @Test
    void aWaitThatRunsOutAnswersWithTheCountsSoFar() {
        String id = api.post("/api/batches", "{\"jobs\":[{\"type\":\"probe\",\"payload\":{\"label\":\"held\",\"gated\":true}}]}")
                .json().get("id").asString();

        JsonNode partial = api.get("/api/batches/" + id + "?wait=300ms").json();

        assertThat(partial.get("finished").asBoolean()).isFalse();
        probe.open();
        assertThat(api.get("/api/batches/" + id + "?wait=10s").json().get("finished").asBoolean()).isTrue();
    }
}
