package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import dev.sluice.config.NodeId;
import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;
import dev.sluice.support.ProbeJob;

class JobLifecycleTests extends IntegrationTest {

    @Autowired
    NodeId node;

    @AfterEach
    void openGate() {
        probe.reset();
    }

    @Test
    void aJobIsAcceptedAtOnceAndSucceedsWithItsResult() {
        Api.Response accepted = api.post("/api/jobs", "{\"type\":\"add\",\"payload\":{\"x\":2,\"y\":3},\"priority\":\"high\"}");

        assertThat(accepted.status()).isEqualTo(202);
        JsonNode queued = accepted.json();
        String id = queued.get("id").asString();
        assertThat(accepted.location()).isEqualTo("/api/jobs/" + id);
        assertThat(queued.get("state").asString()).isEqualTo("queued");
        assertThat(queued.get("priority").asString()).isEqualTo("high");
        assertThat(queued.get("createdAt").asString()).isNotBlank();

        JsonNode done = api.get(accepted.location() + "?wait=10s").json();
        assertThat(done.get("state").asString()).isEqualTo("succeeded");
        assertThat(done.get("result").asInt()).isEqualTo(5);
        assertThat(done.get("payload").get("x").asInt()).isEqualTo(2);
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        assertThat(done.get("node").asString()).isEqualTo(node.value());
        assertThat(done.get("startedAt").isNull()).isFalse();
        assertThat(done.get("finishedAt").isNull()).isFalse();
        assertThat(done.get("error").isNull()).isTrue();
    }

    @Test
    void aFailingHandlerLeavesTheJobFailedWithItsErrorAndNoStackTrace() {
        String id = api.submit("{\"type\":\"fail\",\"payload\":{\"message\":\"card declined\"}}");

        JsonNode failed = api.get("/api/jobs/" + id + "?wait=10s").json();

        assertThat(failed.get("state").asString()).isEqualTo("failed");
        assertThat(failed.get("error").get("message").asString()).isEqualTo("card declined");
        assertThat(failed.get("error").get("type").asString()).isEqualTo("DeliberateFailure");
        assertThat(failed.toString()).doesNotContain("at dev.sluice").doesNotContain("Exception:");
        assertThat(failed.get("result").isNull()).isTrue();
    }

    @Test
    void aJobMovesFromQueuedThroughRunningToSucceeded() {
        String id = api.submit(ProbeJob.json("lifecycle", 0, true, "normal"));

        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("running"));
        JsonNode running = api.job(id);
        assertThat(running.get("startedAt").isNull()).isFalse();
        assertThat(running.get("finishedAt").isNull()).isTrue();

        probe.open();
        assertThat(api.get("/api/jobs/" + id + "?wait=10s").json().get("state").asString()).isEqualTo("succeeded");
    }

    @Test
    void aWaitThatRunsOutAnswersWithTheCurrentState() {
        String id = api.submit(ProbeJob.json("held", 0, true, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("running"));

        long before = System.nanoTime();
        Api.Response response = api.get("/api/jobs/" + id + "?wait=300ms");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("state").asString()).isEqualTo("running");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void aWaitEndsAsSoonAsTheJobFinishes() throws Exception {
        String id = api.submit(ProbeJob.json("released", 0, true, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("running"));

        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> api.get("/api/jobs/" + id + "?wait=PT60S"));
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
        probe.open();

        JsonNode done = waiting.get(10, java.util.concurrent.TimeUnit.SECONDS).json();
        assertThat(done.get("state").asString()).isEqualTo("succeeded");
        assertThat(done.get("result").asString()).isEqualTo("released#1");
    }

    @Test
    void twoWaitsOnOneJobBothHearItFinishEvenWhenOneGaveUpFirst() throws Exception {
        String id = api.submit(ProbeJob.json("shared", 0, true, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("running"));
        var patient = java.util.concurrent.CompletableFuture.supplyAsync(() -> api.get("/api/jobs/" + id + "?wait=60s"));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !patient.isDone());

        JsonNode impatient = api.get("/api/jobs/" + id + "?wait=200ms").json();
        assertThat(impatient.get("state").asString()).isEqualTo("running");
        probe.open();

        JsonNode done = patient.get(10, java.util.concurrent.TimeUnit.SECONDS).json();
        assertThat(done.get("state").asString()).isEqualTo("succeeded");
    }

    @Test
    void jobTypesListEveryBuiltInWithAnExamplePayload() {
        JsonNode types = api.get("/api/job-types").json();

        assertThat(types.valueStream().map(t -> t.get("type").asString()))
                .contains("add", "echo", "fail", "sleep", "square", "probe");
        JsonNode add = types.valueStream().filter(t -> t.get("type").asString().equals("add")).findFirst().orElseThrow();
        assertThat(add.get("examplePayload").get("x").asInt()).isEqualTo(2);
        assertThat(add.get("description").asString()).isNotBlank();
    }

    @Test
    void theBuiltInsComputeWhatTheySay() {
        String echo = api.submit("{\"type\":\"echo\",\"payload\":{\"message\":\"hi\",\"n\":[1,2]}}");
        String square = api.submit("{\"type\":\"square\",\"payload\":{\"x\":7,\"delay\":\"10ms\"}}");
        String sleep = api.submit("{\"type\":\"sleep\",\"payload\":{\"duration\":\"50ms\"}}");

        assertThat(api.get("/api/jobs/" + echo + "?wait=10s").json().get("result").toString())
                .isEqualTo("{\"message\":\"hi\",\"n\":[1,2]}");
        assertThat(api.get("/api/jobs/" + square + "?wait=10s").json().get("result").asInt()).isEqualTo(49);
        assertThat(api.get("/api/jobs/" + sleep + "?wait=10s").json().get("state").asString()).isEqualTo("succeeded");
    }

    @Test
    void swaggerUiAndTheOpenApiDocumentDescribeTheEndpoints() {
        assertThat(api.get("/swagger-ui/index.html").status()).isEqualTo(200);
        JsonNode docs = api.get("/v3/api-docs").json();
        assertThat(docs.get("paths").propertyNames())
                .contains("/api/jobs", "/api/jobs/{id}", "/api/queues", "/api/job-types");
    }

    @Test
    void healthIncludesRedisAndTheDispatcher() {
        JsonNode health = api.get("/actuator/health").json();

        assertThat(health.get("status").asString()).isEqualTo("UP");
        assertThat(health.get("components").get("redis").get("status").asString()).isEqualTo("UP");
        assertThat(health.get("components").get("dispatcher").get("status").asString()).isEqualTo("UP");
    }
}
