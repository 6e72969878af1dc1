package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** heartbeat.lua: registration, renewal, token repair, hand-back, missed cancels, the epoch — against a real Redis, empty and wrong-state paths included. */
class HeartbeatScriptTests extends ScriptTestSupport {

    @Test
    void heartbeatRegistersANodeWithExactlyItsTokensAndRepairsDrift() {
        WorkerLedger.Heartbeat first = ledger.heartbeat(node, 3, List.of("w1", "w2", "w3"), List.of(), List.of(), null);
        assertThat(first.repaired()).isTrue();
        assertThat(redis.opsForZSet().score(keys.nodes(), node)).isEqualTo((double) first.at().toEpochMilli());
        assertThat(redis.opsForHash().get(keys.node(node), "poolSize")).isEqualTo("3");

        assertThat(ledger.heartbeat(node, 3, List.of("w3", "w1", "w2"), List.of(), List.of(), null).repaired()).isFalse();

        redis.opsForList().rightPush(keys.freeWorkers(node), "w1");
        assertThat(ledger.heartbeat(node, 3, List.of("w1", "w2", "w3"), List.of(), List.of(), null).repaired()).isTrue();
        assertThat(tokens()).containsExactlyInAnyOrder("w1", "w2", "w3");

        redis.opsForList().rightPop(keys.freeWorkers(node));
        assertThat(ledger.heartbeat(node, 3, List.of("w1", "w2", "w3"), List.of(), List.of(), null).repaired()).isTrue();
        assertThat(tokens()).hasSize(3);
    }

    @Test
    void heartbeatRenewsOnlyLeasesThatStillExist() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.NORMAL)));
        ledger.claim(node, 1);
        double before = redis.opsForZSet().score(keys.leases(node), "a");
        letRedisTimePass(5);

        ledger.heartbeat(node, 1, List.of(), List.of("a", "recovered-elsewhere"), List.of(), null);

        assertThat(redis.opsForZSet().score(keys.leases(node), "a")).isGreaterThan(before);
        assertThat(redis.opsForZSet().score(keys.leases(node), "recovered-elsewhere")).isNull();
    }

    @Test
    void heartbeatHandsBackAJobWhoseClaimReplyWasLostWithItsAttempt() {
        register("w1", "w2");
        store.enqueue(List.of(job("a", Priority.NORMAL), job("b", Priority.NORMAL)));
        ledger.claim(node, 1); // the reply never reached the node: it knows nothing of "a"

        WorkerLedger.Heartbeat beat = ledger.heartbeat(node, 2, List.of("w1", "w2"), List.of(), List.of(), null);

        assertThat(beat.handedBack()).isEqualTo(1);
        assertThat(list(Priority.NORMAL)).as("back at the head").containsExactly("a", "b");
        Job a = store.find("a").orElseThrow();
        assertThat(a.state()).isEqualTo(JobState.QUEUED);
        assertThat(a.attempts()).as("the attempt that never started is given back").isZero();
        assertThat(a.node()).isNull();
        assertThat(redis.opsForZSet().zCard(keys.leases(node))).isZero();
        assertThat(tokens()).containsExactlyInAnyOrder("w1", "w2");
    }

    @Test
    void heartbeatRenewsWhatItRunsAndLeavesWhatItHoldsPastItsLimitAlone() {
        register("w1", "w2");
        store.enqueue(List.of(job("a", Priority.NORMAL), job("b", Priority.NORMAL)));
        ledger.claim(node, 2);
        redis.opsForZSet().add(keys.leases(node), "a", 1);
        redis.opsForZSet().add(keys.leases(node), "b", 1);

        WorkerLedger.Heartbeat beat = ledger.heartbeat(node, 2, List.of(), List.of("a"), List.of("b"), null);

        assertThat(beat.handedBack()).isZero();
        assertThat(redis.opsForZSet().score(keys.leases(node), "a")).as("renewed").isGreaterThan(1);
        assertThat(redis.opsForZSet().score(keys.leases(node), "b")).as("left to lapse").isEqualTo(1);
        assertThat(state("a")).isEqualTo(JobState.RUNNING);
        assertThat(state("b")).isEqualTo(JobState.RUNNING);
    }

    @Test
    void heartbeatNamesTheRunningJobsWhoseCancelWasRequested() {
        register("w1", "w2");
        store.enqueue(List.of(job("a", Priority.NORMAL), job("b", Priority.NORMAL)));
        ledger.claim(node, 2);
        redis.opsForHash().put(keys.job("b"), "cancelRequested", "1");

        WorkerLedger.Heartbeat beat = ledger.heartbeat(node, 2, List.of(), List.of("a", "b"), List.of(), null);

        assertThat(beat.cancel()).containsExactly("b");
    }

    @Test
    void heartbeatSaysWhenRedisLostTheNamespace() {
        WorkerLedger.Heartbeat first = ledger.heartbeat(node, 1, List.of("w1"), List.of(), List.of(), null);
        assertThat(first.dataLost()).isFalse();
        assertThat(ledger.heartbeat(node, 1, List.of("w1"), List.of(), List.of(), first.epoch()).dataLost()).isFalse();

        redis.delete(keys.epoch()); // as a Redis restarted without persistence would have it
        letRedisTimePass(2); // the epoch is the first use's millisecond; a restart takes longer than one

        WorkerLedger.Heartbeat after = ledger.heartbeat(node, 1, List.of("w1"), List.of(), List.of(), first.epoch());
        assertThat(after.dataLost()).isTrue();
        assertThat(after.epoch()).isNotEqualTo(first.epoch());
        assertThat(ledger.heartbeat("node-b", 1, List.of("w1"), List.of(), List.of(), first.epoch()).dataLost())
                .as("every node that knew the old epoch notices").isTrue();
        assertThat(ledger.heartbeat(node, 1, List.of("w1"), List.of(), List.of(), after.epoch()).dataLost()).isFalse();
    }
}
