package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.sluice.config.SluiceProperties;
import dev.sluice.support.TestProperties;

/** claim.lua with weighted priorities: each priority gets its share of claims while it has jobs; strict stays strict. */
class WeightedClaimTests extends ScriptTestSupport {

    private WorkerLedger weighted(int high, int normal, int low) {
        SluiceProperties settings = TestProperties.sluice("dispatch.priorities", "weighted",
                "dispatch.weights.high", Integer.toString(high), "dispatch.weights.normal", Integer.toString(normal),
                "dispatch.weights.low", Integer.toString(low));
        return new WorkerLedger(redis, Partitions.single(keys), settings, events());
    }

    private void fill(Priority priority, int n) {
        store.enqueue(IntStream.range(0, n).mapToObj(i -> job(priority.wire() + "-" + i, priority)).toList());
    }

    private Map<Priority, Long> claimedPerPriority(WorkerLedger ledger, int claims, int each) {
        List<ClaimedJob> claimed = new ArrayList<>();
        for (int i = 0; i < claims; i++) {
            WorkerLedger.Claim claim = ledger.claim(node, each);
            claimed.addAll(claim.jobs());
            ledger.complete(node, claim.jobs().stream().map(job -> Outcome.succeeded(job, "1")).toList());
        }
        return claimed.stream().collect(Collectors.groupingBy(ClaimedJob::priority, Collectors.counting()));
    }

    @Test
    void eachPriorityGetsItsWeightedShareWhileAllHaveJobs() {
        fill(Priority.HIGH, 50);
        fill(Priority.NORMAL, 50);
        fill(Priority.LOW, 50);
        register("w1", "w2", "w3", "w4", "w5");

        Map<Priority, Long> shares = claimedPerPriority(weighted(6, 3, 1), 6, 5); // 30 jobs = 3 full turns of 10

        assertThat(shares).containsEntry(Priority.HIGH, 18L).containsEntry(Priority.NORMAL, 9L)
                .containsEntry(Priority.LOW, 3L);
    }

    @Test
    void anEmptyPriorityGivesItsTurnToTheHighestThatHasJobs() {
        fill(Priority.HIGH, 5);
        fill(Priority.LOW, 20);
        register("w1", "w2", "w3", "w4", "w5");

        Map<Priority, Long> shares = claimedPerPriority(weighted(1, 1, 1), 2, 5);

        // turns high, normal (empty: to high), low, ...: high drains first, low still gets every third turn
        assertThat(shares.get(Priority.HIGH)).isEqualTo(5L);
        assertThat(shares.get(Priority.LOW)).isEqualTo(5L);
        assertThat(list(Priority.LOW)).hasSize(15);
    }

    @Test
    void strictModeNeverTakesALowerPriorityWhileAHigherOneHasJobs() {
        fill(Priority.HIGH, 10);
        fill(Priority.LOW, 10);
        register("w1", "w2", "w3", "w4", "w5");

        Map<Priority, Long> shares = claimedPerPriority(ledger, 2, 5);

        assertThat(shares).containsOnlyKeys(Priority.HIGH).containsEntry(Priority.HIGH, 10L);
    }
}
