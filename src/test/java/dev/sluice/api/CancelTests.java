package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.sluice.config.NodeId;
import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;
import dev.sluice.support.ProbeJob;

@TestPropertySource(properties = {"sluice.workers.pool-size=1", "sluice.retry.backoff=10s"})
class CancelTests extends IntegrationTest {

    @Autowired
    NodeId node;

    @AfterEach
    void resetProbe() {
        probe.reset();
    }

    @Test
    void aCancelledQueuedJobNeverRuns() {
        String blocker = api.submit(ProbeJob.json("blocker", 0, true, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.running() == 1);
        String victim = api.submit(ProbeJob.json("victim", 0, false, "high"));

        Api.Response cancelled = api.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/api/jobs/" + victim)).DELETE());

        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("state").asString()).isEqualTo("cancelled");
        probe.open();
        String marker = api.submit(ProbeJob.json("marker", 0, false, "low"));
        assertThat(api.get("/api/jobs/" + marker + "?wait=10s").json().get("state").asString()).isEqualTo("succeeded");
        assertThat(api.state(blocker)).isEqualTo("succeeded");
        assertThat(probe.starts()).containsExactly("blocker", "marker");
        assertThat(api.state(victim)).isEqualTo("cancelled");
    }

    @Test
    void aCancelledRunningJobIsInterruptedAndItsWorkerFreed() {
        String id = api.submit(ProbeJob.json("long", 0, true, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("running"));

        Api.Response cancelled = delete(id);

        assertThat(cancelled.status()).isEqualTo(200);
        JsonNode job = cancelled.json();
        assertThat(job.get("state").asString()).isEqualTo("cancelled");
        assertThat(job.get("finishedAt").isNull()).isFalse();
        assertThat(probe.running()).isZero();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> redis.opsForList().size(keys.freeWorkers(node.value())) == 1);
        String next = api.submit(ProbeJob.json("next", 0, false, "normal"));
        assertThat(api.get("/api/jobs/" + next + "?wait=10s").json().get("state").asString()).isEqualTo("succeeded");
    }

    @Test
    void aRetryingJobCanBeCancelledBeforeItsNextAttempt() {
        String id = api.submit(ProbeJob.failing("retry-me", 3));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("retrying"));

        assertThat(delete(id).json().get("state").asString()).isEqualTo("cancelled");
        assertThat(redis.opsForZSet().score(keys.retrying(), id)).isNull();
    }

    @Test
    void aFinishedJobCannotBeCancelledAndAnUnknownOneIsNotFound() {
        String id = api.submit("{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1}}");
        api.get("/api/jobs/" + id + "?wait=10s");

        Api.Response conflict = delete(id);

        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.contentType()).startsWith("application/problem+json");
        assertThat(conflict.json().get("type").asString()).isEqualTo("/problems/job-state-conflict");
        assertThat(api.state(id)).isEqualTo("succeeded");
        assertThat(delete("no-such-job").status()).isEqualTo(404);
        assertThat(delete(id).status()).isEqualTo(409);
    }

    private Api.Response delete(String id) {
        return api.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/api/jobs/" + id)).DELETE());
    }
}
