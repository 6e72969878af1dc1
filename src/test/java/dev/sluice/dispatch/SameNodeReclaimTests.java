package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.sluice.config.NodeId;
import dev.sluice.queue.NodeRecovery;
import dev.sluice.support.IntegrationTest;
import dev.sluice.support.Ledger;

/**
 * A node that stalled past its lease gets its own job back: the reaper recovered the first delivery,
 * and the same node claimed the second while the first was still running. When the stale first
 * delivery ends, the second must keep its lease. Once both were keyed by job id alone: the end of the
 * first dropped the second's renewal, and the reaper took the job from a live node again and again.
 */
@TestPropertySource(properties = {"sluice.dispatch.lease=3s", "sluice.dispatch.heartbeat=500ms",
        "sluice.dispatch.reaper-interval=300ms", "sluice.workers.pool-size=2"})
class SameNodeReclaimTests extends IntegrationTest {

    @Autowired
    private NodeRecovery recovery;

    @Autowired
    private NodeId node;

    @Test
    void theNewDeliveryKeepsItsLeaseWhenTheStaleOneEnds() {
        probe.reset();
        String id = api.submit("{\"type\":\"probe\",\"payload\":{\"label\":\"r\",\"holdMs\":2500,"
                + "\"gatedAfterFirst\":true}}");
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.executions(id) == 1);

        // the first delivery's lease runs out (as if the node had been paused), and a reaper recovers it
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            redis.opsForZSet().add(keys.leases(node.value()), id, 0);
            redis.delete(keys.reaperLock());
            return recovery.reap("test").requeued() == 1;
        });
        await().atMost(Duration.ofSeconds(10)).alias("the same node claims the job again")
                .until(() -> probe.executions(id) == 2);
        await().atMost(Duration.ofSeconds(10)).alias("the stale first delivery ends").until(() -> probe.running() == 1);

        // the second delivery (waiting at the gate) keeps its lease for several lease lengths
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7))
                .until(() -> probe.executions(id) == 2 && redis.opsForZSet().score(keys.leases(node.value()), id) != null);

        probe.open();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("succeeded"));
        assertThat(api.job(id).get("attempts").asInt()).isEqualTo(2);
        Ledger.check(api, List.of(id));
    }
}
