package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

class ScheduledJobTests extends IntegrationTest {

    @Test
    void aDelayedJobWaitsScheduledUntilItIsDueThenRuns() {
        Api.Response accepted = api.post("/api/jobs", "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":2},\"delay\":\"1500ms\"}");

        assertThat(accepted.status()).isEqualTo(202);
        JsonNode scheduled = accepted.json();
        String id = scheduled.get("id").asString();
        assertThat(scheduled.get("state").asString()).isEqualTo("scheduled");
        Instant runAt = Instant.parse(scheduled.get("runAt").asString());
        Instant createdAt = Instant.parse(scheduled.get("createdAt").asString());
        assertThat(Duration.between(createdAt, runAt)).isEqualTo(Duration.ofMillis(1500));

        await().during(Duration.ofMillis(1000)).atMost(Duration.ofMillis(1400))
                .until(() -> api.state(id).equals("scheduled"));
        JsonNode done = api.get("/api/jobs/" + id + "?wait=10s").json();

        assertThat(done.get("state").asString()).isEqualTo("succeeded");
        Instant startedAt = Instant.parse(done.get("startedAt").asString());
        assertThat(startedAt).isAfterOrEqualTo(runAt);
        assertThat(Duration.between(runAt, startedAt)).as("started within a fraction of a second of its time")
                .isLessThan(Duration.ofMillis(500));
    }

    @Test
    void aJobCanBeScheduledAtATimeAndCancelledBeforeIt() {
        String runAt = Instant.now().plusSeconds(3600).toString();
        String id = api.submit("{\"type\":\"noop\",\"runAt\":\"" + runAt + "\"}");

        assertThat(api.job(id).get("state").asString()).isEqualTo("scheduled");
        assertThat(api.get("/api/jobs?state=retrying").json().get("total").asInt()).isZero();
        assertThat(api.get("/api/jobs?state=scheduled").json().get("items").valueStream()
                .map(j -> j.get("id").asString())).contains(id);
        assertThat(api.get("/api/queues").json().get("scheduled").asInt()).isEqualTo(1);

        Api.Response cancelled = api.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/api/jobs/" + id)).DELETE());
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("state").asString()).isEqualTo("cancelled");
        assertThat(redis.opsForZSet().score(keys.scheduled(), id)).isNull();
    }

    @Test
    void delayAndRunAtTogetherAreRefused() {
        Api.Response both = api.post("/api/jobs", "{\"type\":\"noop\",\"delay\":\"1m\",\"runAt\":\"2030-01-01T00:00:00Z\"}");

        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().get("errors").get(0).get("field").asString()).isEqualTo("runAt");
        assertThat(api.post("/api/jobs", "{\"type\":\"noop\",\"delay\":\"soon\"}").json().get("errors").get(0)
                .get("field").asString()).isEqualTo("delay");
    }
}
