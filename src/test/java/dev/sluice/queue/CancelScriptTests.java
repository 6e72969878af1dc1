package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** cancel.lua — against a real Redis, empty and wrong-state paths included. */
class CancelScriptTests extends ScriptTestSupport {

    @Test
    void cancelStopsAQueuedJobAtOnceAndItNeverGetsClaimed() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.NORMAL)));

        assertThat(operations.cancel("a", Duration.ofHours(1))).contains(new JobOperations.Cancel(JobState.CANCELLED, true));

        assertThat(list(Priority.NORMAL)).isEmpty();
        assertThat(ledger.claim(node, 1).jobs()).isEmpty();
        assertThat(store.find("a").orElseThrow().finishedAt()).isNotNull();
        assertThat(redis.getExpire(keys.job("a"))).isPositive();
    }

    @Test
    void cancelTakesARetryingJobOutOfTheDelayedSet() {
        store.enqueue(List.of(job("a", Priority.NORMAL)));
        redis.delete(keys.queue(Priority.NORMAL));
        redis.opsForHash().put(keys.job("a"), "state", "retrying");
        redis.opsForZSet().add(keys.retrying(), "a", 1);

        assertThat(operations.cancel("a", Duration.ofHours(1))).contains(new JobOperations.Cancel(JobState.CANCELLED, true));
        assertThat(redis.opsForZSet().zCard(keys.retrying())).isZero();
    }

    @Test
    void cancelOfARunningJobAsksOnceAndLeavesTheStateToItsWorker() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.NORMAL)));
        ledger.claim(node, 1);

        assertThat(operations.cancel("a", Duration.ofHours(1))).contains(new JobOperations.Cancel(JobState.RUNNING, true));
        assertThat(store.find("a").orElseThrow().cancelRequested()).isTrue();
        assertThat(operations.cancel("a", Duration.ofHours(1))).contains(new JobOperations.Cancel(JobState.RUNNING, false));
    }

    @Test
    void cancelLeavesAFinishedJobAloneAndKnowsNoMissingOne() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.NORMAL)));
        ledger.complete(node, List.of(Outcome.succeeded(ledger.claim(node, 1).jobs().get(0), "1")));

        assertThat(operations.cancel("a", Duration.ofHours(1))).contains(new JobOperations.Cancel(JobState.SUCCEEDED, false));
        assertThat(state("a")).isEqualTo(JobState.SUCCEEDED);
        assertThat(operations.cancel("missing", Duration.ofHours(1))).isEmpty();
        assertThat(redis.hasKey(keys.job("missing"))).isFalse();
    }
}
