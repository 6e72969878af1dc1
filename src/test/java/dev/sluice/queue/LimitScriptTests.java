package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;


import org.junit.jupiter.api.Test;

/**
 * Concurrency caps in claim.lua (take_slot, release_slot): two nodes together never run more than a
 * type's cap, a job over its cap is passed over without holding up the jobs behind it, a finished job
 * lets one parked job back, and a per-key cap holds per key.
 */
class LimitScriptTests extends ScriptTestSupport {

    private static NewJob of(String id, String type, String key) {
        return new NewJob(id, type, Priority.NORMAL, "{}", 3, Duration.ofSeconds(5), Duration.ZERO, null, null, false,
                null, key);
    }

    private void registerNode(String id, int tokens) {
        ledger.heartbeat(id, tokens, IntStream.rangeClosed(1, tokens).mapToObj(i -> "w" + i).toList(), List.of(),
                List.of(), null);
    }

    private long running(String type) {
        Object count = redis.opsForHash().get(keys.running(), type);
        return count == null ? 0 : Long.parseLong((String) count);
    }

    @Test
    void twoNodesNeverRunMoreThanTheCapAndOtherTypesUseTheRestWithoutWaiting() {
        new Limits(redis, Partitions.single(keys)).put("capped", new Limits.Caps(3, null));
        List<NewJob> jobs = new ArrayList<>();
        IntStream.range(0, 10).forEach(i -> jobs.add(of("c" + i, "capped", null)));
        IntStream.range(0, 10).forEach(i -> jobs.add(of("o" + i, "other", null)));
        store.enqueue(jobs);
        registerNode("n1", 8);
        registerNode("n2", 8);

        List<ClaimedJob> first = new ArrayList<>(ledger.claim("n1", 8).jobs());
        List<ClaimedJob> second = new ArrayList<>(ledger.claim("n2", 8).jobs());

        List<ClaimedJob> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(all.stream().filter(job -> job.type().equals("capped"))).hasSize(3);
        assertThat(all.stream().filter(job -> job.type().equals("other"))).hasSize(10);
        assertThat(running("capped")).isEqualTo(3);
        assertThat(redis.opsForList().size(keys.parked("capped"))).isEqualTo(7);

        // one capped job ends: exactly one parked job comes back and can be claimed
        ClaimedJob done = first.stream().filter(job -> job.type().equals("capped")).findFirst().orElseThrow();
        ledger.complete("n1", List.of(Outcome.succeeded(done, "1")));
        assertThat(running("capped")).isEqualTo(2);
        List<ClaimedJob> next = ledger.claim("n1", 8).jobs();
        assertThat(next).extracting(ClaimedJob::type).containsExactly("capped");
        assertThat(running("capped")).isEqualTo(3);
        assertThat(redis.opsForList().size(keys.parked("capped"))).isEqualTo(6);
    }

    @Test
    void aPerKeyCapHoldsPerKeyAndAParkedJobCanBeCancelled() {
        new Limits(redis, Partitions.single(keys)).put("mail", new Limits.Caps(null, 1));
        store.enqueue(List.of(of("a1", "mail", "a"), of("a2", "mail", "a"), of("a3", "mail", "a"), of("b1", "mail", "b")));
        registerNode(node, 4);

        List<ClaimedJob> claimed = ledger.claim(node, 4).jobs();

        assertThat(claimed).extracting(ClaimedJob::id).containsExactlyInAnyOrder("a1", "b1");
        assertThat(redis.opsForList().range(keys.parked("mail|a"), 0, -1)).containsExactly("a2", "a3");
        assertThat(operations.cancel("a2", Duration.ofHours(1)).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
        assertThat(redis.opsForList().range(keys.parked("mail|a"), 0, -1)).containsExactly("a3");

        ledger.complete(node, List.of(Outcome.succeeded(claimed.stream().filter(j -> j.id().equals("a1")).findFirst()
                .orElseThrow(), "1")));
        assertThat(ledger.claim(node, 4).jobs()).extracting(ClaimedJob::id).containsExactly("a3");
    }

    @Test
    void aRecoveredOrFailedCappedJobGivesItsSlotBack() {
        new Limits(redis, Partitions.single(keys)).put("capped", new Limits.Caps(1, null));
        store.enqueue(List.of(of("c1", "capped", null), of("c2", "capped", null)));
        registerNode(node, 2);
        ClaimedJob first = ledger.claim(node, 2).jobs().get(0);
        assertThat(running("capped")).isEqualTo(1);

        ledger.complete(node, List.of(Outcome.failed(first, "no", "X", Duration.ofHours(1))));

        assertThat(running("capped")).isZero();
        assertThat(ledger.claim(node, 2).jobs()).extracting(ClaimedJob::id).containsExactly("c2");
        redis.opsForZSet().add(keys.leases(node), "c2", 0); // its lease lapses
        recovery.reap("reaper");
        assertThat(running("capped")).isZero();
    }

    @Test
    void aSlotHeldByAJobWhoseRecordWasEvictedIsRecountedAndItsParkedJobLetBack() {
        new Limits(redis, Partitions.single(keys)).put("capped", new Limits.Caps(1, 1));
        store.enqueue(List.of(of("c1", "capped", "k"), of("c2", "capped", "k"), of("c3", "capped", "k")));
        registerNode(node, 3);
        assertThat(ledger.claim(node, 3).jobs()).extracting(ClaimedJob::id).containsExactly("c1");
        assertThat(redis.opsForList().range(keys.parked("capped|k"), 0, -1)).containsExactly("c2", "c3");
        // c2 is cancelled while parked; c1's record is evicted while it runs: nothing will ever release its slot
        operations.cancel("c2", Duration.ofHours(1));
        redis.opsForList().rightPush(keys.parked("capped|k"), "c2"); // a stale entry left in the parked list
        redis.delete(keys.job("c1"));
        assertThat(ledger.claim(node, 3).jobs()).as("the slot is still counted as taken").isEmpty();

        NodeRecovery.Reaped reaped = recovery.reap("reaper");

        assertThat(reaped.recounted()).isEqualTo(2); // 'capped' and 'capped|k'
        assertThat(running("capped")).isZero();
        assertThat(ledger.claim(node, 3).jobs()).as("the stale entry is skipped, c3 comes back")
                .extracting(ClaimedJob::id).containsExactly("c3");
        assertThat(running("capped")).isEqualTo(1);
        redis.delete(keys.reaperLock()); // the next tick
        assertThat(recovery.reap("reaper2").recounted()).as("a right count is left alone").isZero();
    }

    @Test
    void jobsOverTheRateWaitScheduledEachForASlotOfItsOwnWithoutAWorkerOrAnAttempt() {
        new Limits(redis, Partitions.single(keys)).put("rated", new Limits.Caps(null, null, new Limits.Rate(5, Duration.ofSeconds(1)), null));
        store.enqueue(IntStream.range(0, 12).mapToObj(i -> of("r" + i, "rated", null)).toList());
        registerNode(node, 12);
        long start = redisTime();

        WorkerLedger.Claim claim = ledger.claim(node, 12);

        assertThat(claim.jobs()).hasSize(5);
        assertThat(claim.nextDueIn()).as("the dispatcher sleeps until the first waiting job is due")
                .isBetween(Duration.ofMillis(900), Duration.ofMillis(1100));
        assertThat(redis.opsForList().size(keys.freeWorkers(node))).as("waiting jobs hold no worker").isEqualTo(7);
        List<Long> due = new ArrayList<>();
        for (int i = 5; i < 12; i++) {
            Job job = store.find("r" + i).orElseThrow();
            assertThat(job.state()).isEqualTo(JobState.SCHEDULED);
            assertThat(job.attempts()).isZero();
            due.add(job.runAt().toEpochMilli());
        }
        assertThat(due.get(0)).isBetween(start + 990, start + 1100);
        for (int i = 1; i < due.size(); i++) {
            assertThat(due.get(i) - due.get(i - 1)).as("one slot each, a fifth of the period apart").isEqualTo(200);
        }
    }

    @Test
    void aLimitChangedAtRunTimeAppliesToEveryNodesNextClaim() {
        Limits limits = new Limits(redis, Partitions.single(keys));
        limits.put("capped", new Limits.Caps(1, null));
        store.enqueue(IntStream.range(0, 6).mapToObj(i -> of("c" + i, "capped", null)).toList());
        registerNode("n1", 4);
        registerNode("n2", 4);
        assertThat(ledger.claim("n1", 4).jobs()).hasSize(1);

        assertThat(redis.opsForList().size(keys.parked("capped"))).isEqualTo(5);

        limits.put("capped", new Limits.Caps(3, null)); // the parked jobs go back; the raised cap applies now
        assertThat(redis.opsForList().size(keys.parked("capped"))).isZero();
        assertThat(ledger.claim("n2", 4).jobs()).hasSize(2);
        assertThat(running("capped")).isEqualTo(3);

        limits.put("capped", new Limits.Caps(null, null));
        assertThat(ledger.claim("n1", 4).jobs()).as("no cap: the rest at once").hasSize(3);
    }
}
