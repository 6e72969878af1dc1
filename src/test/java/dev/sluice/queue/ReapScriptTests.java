package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** reap.lua: recovery of expired leases and silent or leaving nodes — against a real Redis, empty and wrong-state paths included. */
class ReapScriptTests extends ScriptTestSupport {

    @Test
    void leavePutsRunningJobsBackAtTheHeadAndRemovesTheNode() {
        register("w1", "w2");
        store.enqueue(List.of(job("running", Priority.LOW)));
        ledger.claim(node, 1);
        store.enqueue(List.of(job("waiting", Priority.LOW)));

        NodeRecovery.Reaped left = recovery.leave(node);

        assertThat(left.requeued()).isEqualTo(1);
        assertThat(left.nodes()).isEqualTo(1);
        assertThat(list(Priority.LOW)).containsExactly("running", "waiting");
        Job back = store.find("running").orElseThrow();
        assertThat(back.state()).isEqualTo(JobState.QUEUED);
        assertThat(back.node()).isNull();
        assertThat(back.attempts()).as("the lost attempt counts").isEqualTo(1);
        assertThat(back.errorType()).isEqualTo("Lost");
        assertThat(back.attemptLog()).as("the lost attempt is in the job's history")
                .contains("\"outcome\":\"lost\"").contains("\"attempt\":1").contains("\"node\":\"" + node + "\"");
        assertNodeGone(node);
    }

    @Test
    void leaveOfAnUnknownNodeChangesNothingElse() {
        store.enqueue(List.of(job("a", Priority.LOW)));

        assertThat(recovery.leave("nobody").requeued()).isZero();
        assertThat(list(Priority.LOW)).containsExactly("a");
    }

    @Test
    void reapRecoversEveryJobOfASilentNodeAndRemovesItsTokens() {
        register("w1", "w2", "w3");
        store.enqueue(List.of(job("a", Priority.HIGH), job("b", Priority.NORMAL)));
        ledger.claim(node, 3);
        store.enqueue(List.of(job("next", Priority.NORMAL)));
        redis.opsForZSet().add(keys.nodes(), node, redisTime() - LEASE.toMillis() - 1000);

        NodeRecovery.Reaped reaped = recovery.reap("reaper-node");

        assertThat(reaped).isEqualTo(new NodeRecovery.Reaped(2, 0, 0, 1, 0));
        assertThat(list(Priority.HIGH)).containsExactly("a");
        assertThat(list(Priority.NORMAL)).as("back at the head").containsExactly("b", "next");
        assertThat(store.find("a").orElseThrow().attempts()).isEqualTo(1);
        assertThat(state("b")).isEqualTo(JobState.QUEUED);
        assertNodeGone(node);
        assertThat(recovery.reap("reaper-node").skipped()).as("one reaping per tick").isTrue();
    }

    @Test
    void reapGivesUpOnAJobWhoseLastAttemptWasLostAndCancelsOneWhoseCancelWasRequested() {
        register("w1", "w2", "w3");
        store.enqueue(List.of(job("retries-left", Priority.HIGH, 3), job("last", Priority.HIGH, 2),
                job("single", Priority.HIGH, 1)));
        redis.opsForHash().put(keys.job("last"), "attempts", "1");
        ledger.claim(node, 3);
        store.enqueue(List.of(job("cancel-me", Priority.NORMAL)));
        redis.opsForList().rightPush(keys.freeWorkers(node), "w9"); // one more worker, without a heartbeat
        ledger.claim(node, 1);
        redis.opsForHash().put(keys.job("cancel-me"), "cancelRequested", "1");
        redis.opsForZSet().add(keys.nodes(), node, 0);

        NodeRecovery.Reaped reaped = recovery.reap("reaper-node");

        assertThat(reaped.requeued()).isEqualTo(1);
        assertThat(reaped.cancelled()).isEqualTo(1);
        assertThat(reaped.gaveUp()).isEqualTo(2);
        assertThat(state("retries-left")).isEqualTo(JobState.QUEUED);
        assertThat(state("last")).isEqualTo(JobState.DEAD);
        assertThat(redis.opsForZSet().score(keys.dead(), "last")).isNotNull();
        assertThat(state("single")).isEqualTo(JobState.FAILED);
        assertThat(state("cancel-me")).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void reapRecoversAnExpiredLeaseOnALiveNodeAndLeavesTheRest() {
        register("w1", "w2");
        store.enqueue(List.of(job("expired", Priority.NORMAL), job("fine", Priority.NORMAL)));
        ledger.claim(node, 2);
        redis.opsForZSet().add(keys.leases(node), "expired", 0);

        NodeRecovery.Reaped reaped = recovery.reap("reaper-node");

        assertThat(reaped.requeued()).isEqualTo(1);
        assertThat(reaped.nodes()).isZero();
        assertThat(state("expired")).isEqualTo(JobState.QUEUED);
        assertThat(state("fine")).isEqualTo(JobState.RUNNING);
        assertThat(redis.opsForZSet().range(keys.leases(node), 0, -1)).containsExactly("fine");
        assertThat(redis.opsForZSet().score(keys.nodes(), node)).isNotNull();
    }

    @Test
    void reapWithNothingToDoChangesNothing() {
        register("w1");

        NodeRecovery.Reaped reaped = recovery.reap("reaper-node");

        assertThat(reaped).isEqualTo(new NodeRecovery.Reaped(0, 0, 0, 0, 0));
        assertThat(tokens()).containsExactly("w1");
    }
}
