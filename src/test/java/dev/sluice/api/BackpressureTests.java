package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;
import dev.sluice.support.ProbeJob;

/** One worker held by a gate, so that queued jobs stay queued while the test fills the queue. */
@TestPropertySource(properties = {"sluice.workers.pool-size=1", "sluice.queues.capacity=5",
        "sluice.queues.per-priority.high=2"})
class BackpressureTests extends IntegrationTest {

    @AfterEach
    void release() {
        probe.reset();
    }

    @Test
    void aFullQueueRefusesWith429AndLosesNothingAlreadyQueued() {
        String blocker = api.submit(ProbeJob.json("blocker", 0, true, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.running() == 1);
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(api.submit(ProbeJob.json("q" + i, 0, false, "low")));
        }
        Set<String> before = namespaceKeys();

        Api.Response refused = api.post("/api/jobs", ProbeJob.json("overflow", 0, false, "low"));
        Api.Response batch = api.post("/api/jobs/batch", "{\"jobs\":[{\"type\":\"noop\"}]}");

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.retryAfter()).isNotBlank();
        assertThat(refused.json().get("type").asString()).isEqualTo("/problems/queue-full");
        assertThat(refused.json().get("capacity").asInt()).isEqualTo(5);
        assertThat(batch.status()).isEqualTo(429);
        assertThat(namespaceKeys()).isEqualTo(before);
        JsonNode queues = api.get("/api/queues").json();
        assertThat(queues.get("capacity").get("total").asInt()).isEqualTo(5);
        assertThat(queues.get("capacity").get("used").asInt()).isEqualTo(5);

        probe.open();
        await().atMost(Duration.ofSeconds(10)).until(() -> queued.stream().allMatch(id -> api.state(id).equals("succeeded")));
        assertThat(api.state(blocker)).isEqualTo("succeeded");
        assertThat(api.post("/api/jobs", ProbeJob.json("after", 0, false, "low")).status()).isEqualTo(202);
    }

    @Test
    void aPriorityCanHaveALimitOfItsOwnAndABatchThatWouldNotFitIsRefusedWhole() {
        String blocker = api.submit(ProbeJob.json("blocker", 0, true, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.running() == 1);

        Api.Response tooMany = api.post("/api/jobs/batch",
                "{\"jobs\":[{\"type\":\"noop\",\"priority\":\"high\"},{\"type\":\"noop\",\"priority\":\"high\"},"
                        + "{\"type\":\"noop\",\"priority\":\"high\"}]}");

        assertThat(tooMany.status()).isEqualTo(429);
        assertThat(tooMany.json().get("queue").asString()).isEqualTo("high");
        assertThat(redis.opsForList().size(keys.queue(dev.sluice.queue.Priority.HIGH))).isZero();
        probe.open();
        assertThat(api.get("/api/jobs/" + blocker + "?wait=10s").json().get("state").asString()).isEqualTo("succeeded");
    }

    @Test
    void scheduledJobsCountAgainstTheCapacityTheyWillBeQueuedInto() {
        List<String> later = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            later.add(api.submit("{\"type\":\"noop\",\"delay\":\"1h\"}"));
        }

        Api.Response refused = api.post("/api/jobs", "{\"type\":\"noop\",\"delay\":\"1h\"}");

        assertThat(refused.status()).as("five waiting jobs fill a capacity of five, scheduled or not").isEqualTo(429);
        assertThat(api.get("/api/queues").json().get("capacity").get("used").asInt()).isEqualTo(5);
        later.forEach(id -> redis.opsForZSet().remove(keys.scheduled(), id));
        later.forEach(id -> redis.delete(keys.job(id)));
    }
}
