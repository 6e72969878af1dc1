package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.sluice.config.NodeId;
import dev.sluice.support.IntegrationTest;
import dev.sluice.support.ProbeJob;

@TestPropertySource(properties = "sluice.workers.pool-size=4")
class TokenGatingTests extends IntegrationTest {

    private static final int POOL = 4;

    @Autowired
    NodeId node;

    @Test
    void neverMoreJobsRunThanTheNodeHasWorkersAndEveryTokenComesBack() {
        List<String> violations = new ArrayList<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        CompletableFuture<Integer> samples = CompletableFuture.supplyAsync(() -> {
            int count = 0;
            while (sampling.get() && count < 10_000) {
                JsonNode self = thisNode(api.get("/api/queues").json());
                long free = self.get("freeWorkers").asLong();
                long running = self.get("runningJobs").asLong();
                if (free + running != POOL || running > POOL) {
                    violations.add("free=" + free + " running=" + running);
                }
                count++;
            }
            return count;
        });

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5 * POOL; i++) {
            ids.add(api.submit(ProbeJob.json("job" + i, 60, false, List.of("high", "normal", "low").get(i % 3))));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ids.stream().allMatch(id -> api.state(id).equals("succeeded")));
        sampling.set(false);

        assertThat(samples.join()).isPositive();
        assertThat(violations).isEmpty();
        assertThat(probe.maxRunning()).isEqualTo(POOL);
        assertThat(redis.opsForList().size(keys.freeWorkers(node.value()))).isEqualTo(POOL);
        assertThat(redis.opsForZSet().zCard(keys.leases(node.value()))).isZero();
        JsonNode self = thisNode(api.get("/api/queues").json());
        assertThat(self.get("poolSize").asInt()).isEqualTo(POOL);
        assertThat(self.get("busyWorkers").asInt()).isZero();
        assertThat(self.get("consistent").asBoolean()).isTrue();
    }

    private JsonNode thisNode(JsonNode queues) {
        return queues.get("nodes").valueStream()
                .filter(n -> n.get("id").asString().equals(node.value())).findFirst().orElseThrow();
    }
}
