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
import dev.sluice.support.ProbeJob;

/** The reaper only runs when the test says, so the test decides when a lease is lost. */
@TestPropertySource(properties = {"sluice.workers.pool-size=2", "sluice.dispatch.reaper-interval=10m"})
class FencingTests extends IntegrationTest {

    @Autowired
    Reaper reaper;

    @Autowired
    NodeId node;

    @Test
    void aStaleWorkerFinishingAfterItsJobWasRecoveredCannotOverwriteTheNewerAttempt() {
        String id = api.submit(ProbeJob.json("twice", 0, true, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.running() == 1);

        // The first delivery's lease runs out (as if its node had stalled) and the reaper takes the job back.
        redis.opsForZSet().add(keys.leases(node.value()), id, 0);
        assertThat(reaper.reapNow().requeued()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.running() == 2);
        assertThat(api.job(id).get("attempts").asInt()).isEqualTo(2);

        probe.open();

        JsonNode done = await().atMost(Duration.ofSeconds(10)).until(() -> api.job(id),
                job -> job.get("state").asString().equals("succeeded"));
        await().atMost(Duration.ofSeconds(5)).until(() -> probe.running() == 0);
        assertThat(done.get("result").asString()).isEqualTo("twice#2");
        assertThat(api.job(id).get("result").asString()).as("the stale first delivery was fenced off").isEqualTo("twice#2");
        assertThat(probe.executions(id)).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> redis.opsForList().size(keys.freeWorkers(node.value())) == 2);
    }
}
