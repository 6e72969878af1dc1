package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.IntegrationTest;
import dev.sluice.support.ProbeJob;

@TestPropertySource(properties = "sluice.workers.pool-size=1")
class PriorityOrderTests extends IntegrationTest {

    @Test
    void freedWorkersTakeHighThenNormalThenLowWhateverTheOrderOfArrival() {
        List<String> ids = new ArrayList<>();
        ids.add(api.submit(ProbeJob.json("blocker", 0, true, "normal")));
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.running() == 1);

        Map<String, Integer> seen = new HashMap<>();
        for (String priority : List.of("low", "normal", "high", "low", "normal", "high")) {
            ids.add(api.submit(ProbeJob.json(priority + seen.merge(priority, 1, Integer::sum), 0, false, priority)));
        }
        assertThat(probe.starts()).containsExactly("blocker");
        probe.open();

        await().atMost(Duration.ofSeconds(10)).until(() -> ids.stream().allMatch(id -> api.state(id).equals("succeeded")));
        assertThat(probe.starts()).containsExactly("blocker", "high1", "high2", "normal1", "normal2", "low1", "low2");
    }
}
