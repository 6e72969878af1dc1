package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** claim.lua: tokens paid with jobs in strict priority, due jobs promoted — against a real Redis, empty and wrong-state paths included. */
class ClaimScriptTests extends ScriptTestSupport {

    @Test
    void claimWithoutTokensTakesNothing() {
        store.enqueue(List.of(job("a", Priority.HIGH)));

        assertThat(ledger.claim(node, 4).jobs()).isEmpty();
        assertThat(list(Priority.HIGH)).containsExactly("a");
        assertThat(state("a")).isEqualTo(JobState.QUEUED);
    }

    @Test
    void claimWithoutJobsGivesEveryTokenBack() {
        register("w1", "w2", "w3");

        WorkerLedger.Claim claim = ledger.claim(node, 3);

        assertThat(claim.jobs()).isEmpty();
        assertThat(claim.nextDueIn()).isNull();
        assertThat(tokens()).containsExactlyInAnyOrder("w1", "w2", "w3");
    }

    @Test
    void claimTakesHighThenNormalThenLowAndPaysEachJobWithOneToken() {
        register("w1", "w2", "w3", "w4");
        store.enqueue(List.of(job("low", Priority.LOW), job("normal", Priority.NORMAL), job("high", Priority.HIGH)));

        List<ClaimedJob> claimed = ledger.claim(node, 4).jobs();

        assertThat(claimed).extracting(ClaimedJob::id).containsExactly("high", "normal", "low");
        assertThat(claimed).extracting(ClaimedJob::token).doesNotHaveDuplicates();
        assertThat(claimed).allSatisfy(job -> {
            assertThat(job.attempt()).isEqualTo(1);
            assertThat(job.type()).isEqualTo("echo");
            assertThat(job.timeout()).isEqualTo(Duration.ofSeconds(5));
        });
        assertThat(tokens()).hasSize(1);
        assertThat(redis.opsForZSet().zCard(keys.leases(node))).isEqualTo(3);
        Job high = store.find("high").orElseThrow();
        assertThat(high.state()).isEqualTo(JobState.RUNNING);
        assertThat(high.node()).isEqualTo(node);
        assertThat(high.attempts()).isEqualTo(1);
        Double deadline = redis.opsForZSet().score(keys.leases(node), "high");
        assertThat(deadline.longValue() - high.startedAt().toEpochMilli()).isEqualTo(LEASE.toMillis());
    }

    @Test
    void claimTakesNoMoreThanAskedOrThanThereAreTokens() {
        register("w1", "w2");
        store.enqueue(List.of(job("a", Priority.NORMAL), job("b", Priority.NORMAL), job("c", Priority.NORMAL)));

        assertThat(ledger.claim(node, 1).jobs()).extracting(ClaimedJob::id).containsExactly("a");
        assertThat(ledger.claim(node, 5).jobs()).extracting(ClaimedJob::id).containsExactly("b");
        assertThat(list(Priority.NORMAL)).containsExactly("c");
        assertThat(tokens()).isEmpty();
    }

    @Test
    void claimDropsIdsWhoseJobIsGoneOrNotQueued() {
        register("w1");
        store.enqueue(List.of(job("real", Priority.NORMAL)));
        redis.opsForList().leftPush(keys.queue(Priority.HIGH), "ghost");
        store.enqueue(List.of(job("done", Priority.HIGH)));
        redis.opsForHash().put(keys.job("done"), "state", "succeeded");

        assertThat(ledger.claim(node, 1).jobs()).extracting(ClaimedJob::id).containsExactly("real");
        assertThat(list(Priority.HIGH)).isEmpty();
    }

    @Test
    void claimPromotesDueRetriesFirstAndSaysWhenTheNextFallsDue() {
        register("w1");
        store.enqueue(List.of(job("due", Priority.HIGH), job("later", Priority.HIGH), job("waiting", Priority.NORMAL)));
        redis.delete(keys.queue(Priority.HIGH));
        redis.opsForHash().put(keys.job("due"), "state", "retrying");
        redis.opsForHash().put(keys.job("later"), "state", "retrying");
        long now = redisTime();
        redis.opsForZSet().add(keys.retrying(), "due", now - 10);
        redis.opsForZSet().add(keys.retrying(), "later", now + 60_000);

        WorkerLedger.Claim claim = ledger.claim(node, 1);

        assertThat(claim.jobs()).extracting(ClaimedJob::id).containsExactly("due");
        assertThat(claim.nextDueIn()).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(60));
        assertThat(redis.opsForZSet().range(keys.retrying(), 0, -1)).containsExactly("later");
        assertThat(state("later")).isEqualTo(JobState.RETRYING);
    }

    @Test
    void claimWithNoIdleWorkerPromotesNothingButStillReportsTheNextDueTime() {
        store.enqueue(List.of(job("due", Priority.HIGH)));
        redis.delete(keys.queue(Priority.HIGH));
        redis.opsForHash().put(keys.job("due"), "state", "retrying");
        redis.opsForZSet().add(keys.retrying(), "due", redisTime() - 10);

        WorkerLedger.Claim claim = ledger.claim(node, 0);

        assertThat(claim.nextDueIn()).isEqualTo(Duration.ZERO);
        assertThat(state("due")).isEqualTo(JobState.RETRYING);
    }

    @Test
    void claimCountsQueuedIdsWhoseJobRecordIsGone() {
        register("w1", "w2");
        store.enqueue(List.of(job("evicted", Priority.NORMAL), job("kept", Priority.NORMAL)));
        redis.delete(keys.job("evicted"));

        WorkerLedger.Claim claim = ledger.claim(node, 2);

        assertThat(claim.lost()).isEqualTo(1);
        assertThat(claim.jobs()).extracting(ClaimedJob::id).containsExactly("kept");
        assertThat(tokens()).containsExactly("w2");
    }
}
