package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.IntegrationTest;
import dev.sluice.support.Ledger;
import dev.sluice.support.ProbeJob;

/**
 * A cancel reaches a running job by a pub/sub message, which is lost when it arrives before the job's
 * worker is registered on its node. The request itself is in the job's record, and the heartbeat
 * reads it back: a missed message delays the interruption by at most one heartbeat, never for ever.
 */
@TestPropertySource(properties = {"sluice.dispatch.heartbeat=300ms", "sluice.dispatch.lease=2s",
        "sluice.workers.pool-size=2"})
class CancelRaceTests extends IntegrationTest {

    @AfterEach
    void release() {
        probe.reset();
    }

    @Test
    void aCancelWhoseMessageWasMissedStillStopsTheJob() {
        String id = api.submit(ProbeJob.json("missed", 0, true, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.running() == 1);

        redis.opsForHash().put(keys.job(id), "cancelRequested", "1"); // the request, without its message

        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("cancelled"));
        assertThat(probe.running()).isZero();
        assertThat(api.job(id).get("result").isNull()).isTrue();
        Ledger.check(api, List.of(id));
    }

    @Test
    void aJobThatFinishesAfterItsCancelWasRequestedEndsCancelledWithoutAResult() {
        String id = api.submit("{\"type\":\"probe\",\"payload\":{\"label\":\"late\",\"gated\":true,\"stubborn\":true}}");
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.running() == 1);
        redis.opsForHash().put(keys.job(id), "cancelRequested", "1");

        probe.open(); // the handler ignored its interruption and returns a result all the same

        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("cancelled"));
        assertThat(api.job(id).get("result").isNull()).as("a cancelled job stores no result").isTrue();
    }
}
