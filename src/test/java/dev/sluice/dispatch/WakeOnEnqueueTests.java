package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.IntegrationTest;

/**
 * With the fallback poll and the heartbeat set to a minute, a job submitted to an idle node can only
 * start within seconds if the enqueue wakes the dispatcher.
 */
@TestPropertySource(properties = {"sluice.dispatch.idle-poll=60s", "sluice.dispatch.heartbeat=60s",
        "sluice.dispatch.lease=5m"})
class WakeOnEnqueueTests extends IntegrationTest {

    @Test
    void aJobSubmittedToAnIdleNodeStartsWithoutWaitingForThePoll() {
        for (int round = 0; round < 3; round++) {
            // Let the dispatcher find the queues empty and go to sleep.
            await().pollDelay(Duration.ofMillis(300)).until(() -> true);

            String id = api.submit("{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":" + round + "}}");

            await().atMost(Duration.ofSeconds(5)).until(() -> api.state(id).equals("succeeded"));
            JsonNode job = api.job(id);
            Duration pickup = Duration.between(Instant.parse(job.get("createdAt").asString()),
                    Instant.parse(job.get("startedAt").asString()));
            assertThat(pickup).isLessThan(Duration.ofSeconds(5));
        }
    }
}
