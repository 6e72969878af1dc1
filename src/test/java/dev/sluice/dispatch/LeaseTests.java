package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.IntegrationTest;
import dev.sluice.support.ProbeJob;

/** A lease far shorter than the job, a quick heartbeat and a busy reaper. */
@TestPropertySource(properties = {"sluice.workers.pool-size=2", "sluice.dispatch.lease=1s", "sluice.dispatch.heartbeat=200ms",
        "sluice.dispatch.reaper-interval=100ms"})
class LeaseTests extends IntegrationTest {

    @Test
    void aJobRunningLongerThanItsLeaseKeepsItAndRunsOnce() {
        String id = api.submit(ProbeJob.json("marathon", 3000, false, "normal"));

        JsonNode done = api.get("/api/jobs/" + id + "?wait=20s").json();

        assertThat(done.get("state").asString()).isEqualTo("succeeded");
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        assertThat(probe.executions(id)).isEqualTo(1);
        assertThat(done.get("result").asString()).isEqualTo("marathon#1");
    }

    @Test
    void aHandlerThatIgnoresItsTimeoutDoesNotKeepItsJobRunningForever() {
        String id = api.submit("{\"type\":\"probe\",\"timeout\":\"300ms\",\"maxAttempts\":1,"
                + "\"payload\":{\"label\":\"deaf\",\"gated\":true,\"stubborn\":true}}");
        await().atMost(Duration.ofSeconds(5)).until(() -> api.state(id).equals("running"));

        // timeout (300 ms) + lease (1 s) without renewal, then the reaper recovers it: no attempts left.
        JsonNode failed = await().atMost(Duration.ofSeconds(10)).until(() -> api.job(id),
                job -> job.get("state").asString().equals("failed"));
        assertThat(failed.get("error").get("type").asString()).isEqualTo("Lost");
        assertThat(probe.running()).as("the handler itself still holds its thread").isEqualTo(1);

        probe.open();
        await().atMost(Duration.ofSeconds(5)).until(() -> probe.running() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/api/queues").json().get("nodes").get(0)
                .get("freeWorkers").asInt() == 2);
        assertThat(api.state(id)).as("the late outcome is fenced off").isEqualTo("failed");
    }
}
