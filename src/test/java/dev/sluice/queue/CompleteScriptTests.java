package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** complete.lua: outcomes written with their tokens back, stale ones fenced — against a real Redis, empty and wrong-state paths included. */
class CompleteScriptTests extends ScriptTestSupport {

    @Test
    void completeRecordsTheOutcomeEndsTheLeaseAndGivesTheTokenBack() {
        register("w1", "w2");
        store.enqueue(List.of(job("ok", Priority.NORMAL), job("bad", Priority.NORMAL, 1)));
        List<ClaimedJob> claimed = ledger.claim(node, 2).jobs();

        int counted = ledger.complete(node, List.of(Outcome.succeeded(claimed.get(0), "42"),
                Outcome.failed(claimed.get(1), "boom", "IllegalStateException", Duration.ofSeconds(1))));

        assertThat(counted).isEqualTo(2);
        Job ok = store.find("ok").orElseThrow();
        assertThat(ok.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(ok.result()).isEqualTo("42");
        assertThat(ok.finishedAt()).isNotNull();
        Job bad = store.find("bad").orElseThrow();
        assertThat(bad.state()).as("a single attempt ends failed, not dead").isEqualTo(JobState.FAILED);
        assertThat(bad.error()).isEqualTo("boom");
        assertThat(bad.errorType()).isEqualTo("IllegalStateException");
        assertThat(bad.finishedAt()).isNotNull();
        assertThat(redis.getExpire(keys.job("ok"))).isBetween(3595L, 3600L);
        assertThat(redis.getExpire(keys.job("bad"))).isBetween(3595L, 3600L);
        assertThat(redis.opsForZSet().zCard(keys.leases(node))).isZero();
        assertThat(redis.opsForZSet().zCard(keys.dead())).isZero();
        assertThat(tokens()).containsExactlyInAnyOrder("w1", "w2");
    }

    @Test
    void aFailureWithAttemptsLeftWaitsOutItsBackOffThenDiesWhenTheyAreUsedUp() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.NORMAL, 2)));
        ClaimedJob first = ledger.claim(node, 1).jobs().get(0);

        long before = redisTime();
        ledger.complete(node, List.of(Outcome.failed(first, "try again", "Flaky", Duration.ofSeconds(10))));

        Job retrying = store.find("a").orElseThrow();
        assertThat(retrying.state()).isEqualTo(JobState.RETRYING);
        assertThat(retrying.error()).isEqualTo("try again");
        assertThat(redis.opsForZSet().score(keys.retrying(), "a").longValue()).isBetween(before + 10_000, before + 11_000);
        assertThat(redis.getExpire(keys.job("a"))).isEqualTo(-1);

        redis.opsForZSet().add(keys.retrying(), "a", 0);
        ClaimedJob second = ledger.claim(node, 1).jobs().get(0);
        assertThat(second.attempt()).isEqualTo(2);
        ledger.complete(node, List.of(Outcome.failed(second, "still broken", "Flaky", Duration.ofSeconds(10))));

        Job dead = store.find("a").orElseThrow();
        assertThat(dead.state()).isEqualTo(JobState.DEAD);
        assertThat(dead.error()).isEqualTo("still broken");
        assertThat(redis.opsForZSet().score(keys.dead(), "a")).isNotNull();
        assertThat(redis.opsForZSet().score(keys.retrying(), "a")).isNull();
        assertThat(redis.getExpire(keys.job("a"))).isBetween(7195L, 7200L);
    }

    @Test
    void aPermanentFailureEndsTheJobWhateverAttemptsAreLeft() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.NORMAL, 5)));
        ClaimedJob claimed = ledger.claim(node, 1).jobs().get(0);

        ledger.complete(node, List.of(Outcome.failedPermanently(claimed, "card declined", "Declined")));

        assertThat(state("a")).isEqualTo(JobState.FAILED);
        assertThat(redis.opsForZSet().zCard(keys.retrying())).isZero();
        assertThat(redis.opsForZSet().zCard(keys.dead())).isZero();
    }

    @Test
    void aRequestedCancelWinsOverWhateverTheDeliveryReports() {
        register("w1", "w2");
        store.enqueue(List.of(job("ran-on", Priority.NORMAL), job("failed-anyway", Priority.NORMAL)));
        List<ClaimedJob> claimed = ledger.claim(node, 2).jobs();
        operations.cancel("ran-on", Duration.ofHours(1));
        operations.cancel("failed-anyway", Duration.ofHours(1));

        ledger.complete(node, List.of(Outcome.succeeded(claimed.get(0), "1"),
                Outcome.failed(claimed.get(1), "x", "X", Duration.ofSeconds(1))));

        assertThat(state("ran-on")).isEqualTo(JobState.CANCELLED);
        assertThat(state("failed-anyway")).isEqualTo(JobState.CANCELLED);
        assertThat(redis.opsForZSet().zCard(keys.retrying())).isZero();
    }

    @Test
    void completeFencesOffAStaleAttemptButStillReturnsItsToken() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.NORMAL)));
        ClaimedJob claimed = ledger.claim(node, 1).jobs().get(0);
        ClaimedJob stale = new ClaimedJob(claimed.id(), claimed.token(), claimed.type(), claimed.payload(),
                claimed.attempt() - 1, claimed.timeout());

        assertThat(ledger.complete(node, List.of(Outcome.succeeded(stale, "old")))).isZero();

        Job job = store.find("a").orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.RUNNING);
        assertThat(job.result()).isNull();
        assertThat(redis.opsForZSet().score(keys.leases(node), "a")).isNotNull();
        assertThat(tokens()).containsExactly("w1");
    }

    @Test
    void completeFencesOffAnotherNodesJob() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.NORMAL)));
        ClaimedJob claimed = ledger.claim(node, 1).jobs().get(0);

        assertThat(ledger.complete("node-b", List.of(Outcome.succeeded(claimed, "x")))).isZero();
        assertThat(state("a")).isEqualTo(JobState.RUNNING);
    }

    @Test
    void completeReplayedAfterALostReplyDoesNotDoubleTheToken() {
        register("w1", "w2");
        store.enqueue(List.of(job("a", Priority.NORMAL)));
        Outcome outcome = Outcome.succeeded(ledger.claim(node, 2).jobs().get(0), "1");

        assertThat(ledger.complete(node, List.of(outcome))).isEqualTo(1);
        assertThat(ledger.complete(node, List.of(outcome))).isZero();

        assertThat(tokens()).containsExactlyInAnyOrder("w1", "w2");
    }
}
