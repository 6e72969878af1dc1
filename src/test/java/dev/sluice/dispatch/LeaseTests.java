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
@TestPropertySource(properties = {"sluice.dispatch.lease=1s", "sluice.dispatch.heartbeat=200ms",
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
}
