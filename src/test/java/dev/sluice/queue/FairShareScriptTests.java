package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/**
 * Fair share within a priority (push_job, pop_fair and friends in the prelude), against a real Redis:
 * keys are served round robin, keyless jobs take a turn as one key, strict priority still holds between
 * priorities, and every path that puts a job back (recovery, retry) or takes it out (cancel) keeps the
 * key's list, the ring and the count right.
 */
class FairShareScriptTests extends ScriptTestSupport {

    private static NewJob keyed(String id, Priority priority, String key) {
        return new NewJob(id, "echo", priority, "{\"n\":1}", 3, Duration.ofSeconds(5), Duration.ZERO, null, null, false,
                null, key);
    }

    private List<String> claimOneByOne(int n) {
        List<String> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            WorkerLedger.Claim claim = ledger.claim(node, 1);
            claim.jobs().forEach(job -> order.add(job.id()));
            ledger.complete(node, claim.jobs().stream().map(job -> Outcome.succeeded(job, "1")).toList());
        }
        return order;
    }

    @Test
    void keysAreServedInTurnAndKeylessJobsTakeATurnAsOneKey() {
        List<NewJob> jobs = new ArrayList<>();
        IntStream.rangeClosed(1, 2).forEach(i -> jobs.add(job("k" + i, Priority.NORMAL)));
        IntStream.rangeClosed(1, 5).forEach(i -> jobs.add(keyed("a" + i, Priority.NORMAL, "tenant-a")));
        IntStream.rangeClosed(1, 2).forEach(i -> jobs.add(keyed("b" + i, Priority.NORMAL, "tenant-b")));
        store.enqueue(jobs);
        register("w1");

        assertThat(claimOneByOne(9)).containsExactly("a1", "k1", "b1", "a2", "k2", "b2", "a3", "a4", "a5");
        assertThat(redis.hasKey(keys.keyRing(keys.queue(Priority.NORMAL)))).as("an empty ring is gone").isFalse();
        assertThat(redis.opsForValue().get(keys.keyedCount(keys.queue(Priority.NORMAL)))).isEqualTo("0");
    }

    @Test
    void aTenantWithThousandsOfJobsCannotDelayAnotherTenantsFew() {
        store.enqueue(IntStream.range(0, 5000).mapToObj(i -> keyed("a" + i, Priority.NORMAL, "big")).toList());
        store.enqueue(IntStream.range(0, 10).mapToObj(i -> keyed("b" + i, Priority.NORMAL, "small")).toList());
        register("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8");

        List<String> order = new ArrayList<>();
        while (order.stream().filter(id -> id.startsWith("b")).count() < 10 && order.size() < 5010) {
            WorkerLedger.Claim claim = ledger.claim(node, 8);
            claim.jobs().forEach(job -> order.add(job.id()));
            ledger.complete(node, claim.jobs().stream().map(job -> Outcome.succeeded(job, "1")).toList());
        }
        int lastSmall = order.indexOf("b9");
        long bigBefore = order.subList(0, lastSmall).stream().filter(id -> id.startsWith("a")).count();
        // round robin: one of big's for each of small's (the issue asks for fewer than 200)
        assertThat(bigBefore).as("big's jobs started before small's 10 were all started").isEqualTo(10);
        assertThat(store.find("a4999").orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void strictPriorityStillHoldsBetweenPrioritiesWithKeys() {
        store.enqueue(List.of(keyed("n1", Priority.NORMAL, "t"), job("n2", Priority.NORMAL), keyed("h1", Priority.HIGH, "t"),
                keyed("h2", Priority.HIGH, "u")));
        register("w1");

        assertThat(claimOneByOne(4)).containsExactly("h1", "h2", "n1", "n2");
    }

    @Test
    void depthAndCapacityCountKeyedJobsAndACancelTakesOneOut() {
        store.enqueue(List.of(keyed("a1", Priority.LOW, "t"), keyed("a2", Priority.LOW, "t"), job("k1", Priority.LOW)));
        QueueInspector inspector = new QueueInspector(redis, Partitions.single(keys));
        assertThat(inspector.stats().depths().get(Priority.LOW)).isEqualTo(3L);

        assertThat(operations.cancel("a1", Duration.ofHours(1)).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(inspector.stats().depths().get(Priority.LOW)).isEqualTo(2L);
        register("w1");
        assertThat(claimOneByOne(3)).containsExactly("a2", "k1");
    }

    @Test
    void aRecoveredKeyedJobGoesBackToTheHeadOfItsKeysList() {
        store.enqueue(List.of(keyed("a1", Priority.NORMAL, "t"), keyed("a2", Priority.NORMAL, "t")));
        register("w1");
        ledger.claim(node, 1);
        redis.opsForZSet().add(keys.leases(node), "a1", 0); // its lease lapses

        recovery.reap("reaper");

        assertThat(redis.opsForList().range(keys.keyed(keys.queue(Priority.NORMAL), "t"), 0, -1)).containsExactly("a1", "a2");
        assertThat(new QueueInspector(redis, Partitions.single(keys)).stats().depths().get(Priority.NORMAL)).isEqualTo(2L);
    }
}
