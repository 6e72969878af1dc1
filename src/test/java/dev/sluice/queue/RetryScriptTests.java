package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/** retry.lua — against a real Redis, empty and wrong-state paths included. */
class RetryScriptTests extends ScriptTestSupport {

    @Test
    void retryQueuesADeadJobAsNew() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.HIGH, 1)));
        redis.opsForHash().put(keys.job("a"), "maxAttempts", "2");
        redis.opsForHash().put(keys.job("a"), "attempts", "1");
        ledger.complete(node, List.of(Outcome.failed(ledger.claim(node, 1).jobs().get(0), "x", "X", Duration.ZERO)));
        assertThat(state("a")).isEqualTo(JobState.DEAD);

        assertThat(operations.retry("a")).contains(new JobOperations.Retry(true, JobState.QUEUED));

        Job again = store.find("a").orElseThrow();
        assertThat(again.state()).isEqualTo(JobState.QUEUED);
        assertThat(again.attempts()).isZero();
        assertThat(again.error()).isNull();
        assertThat(again.finishedAt()).isNull();
        assertThat(redis.getExpire(keys.job("a"))).isEqualTo(-1);
        assertThat(redis.opsForZSet().zCard(keys.dead())).isZero();
        assertThat(list(Priority.HIGH)).containsExactly("a");
    }

    @Test
    void retryRefusesJobsThatAreNotDeadFailedOrCancelled() {
        store.enqueue(List.of(job("a", Priority.NORMAL)));

        assertThat(operations.retry("a")).as("a queued job is not re-queued: the caller can tell")
                .contains(new JobOperations.Retry(false, JobState.QUEUED));
        assertThat(list(Priority.NORMAL)).as("not queued twice").containsExactly("a");
        redis.opsForHash().put(keys.job("a"), "state", "succeeded");
        assertThat(operations.retry("a")).contains(new JobOperations.Retry(false, JobState.SUCCEEDED));
        assertThat(operations.retry("missing")).isEmpty();
    }
}
