package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.sluice.config.SluiceProperties;
import dev.sluice.support.TestProperties;
import dev.sluice.support.TestRedis;

/** Each script's contract against a real Redis, empty and wrong-state paths included. */
class LuaScriptsTests {

    private static final SluiceProperties SETTINGS = TestProperties.sluice(
            "dispatch.lease", "30s", "jobs.retention", "1h", "jobs.dead-retention", "2h");
    private static final Duration LEASE = SETTINGS.dispatch().lease();
    private static LettuceConnectionFactory connections;
    private static StringRedisTemplate redis;

    private RedisKeys keys;
    private JobStore store;
    private WorkerLedger ledger;
    private JobOperations operations;
    private final String node = "node-a";

    @BeforeAll
    static void connect() {
        connections = new LettuceConnectionFactory(LettuceConnectionFactory.createRedisConfiguration(TestRedis.url()));
        connections.afterPropertiesSet();
        connections.start();
        redis = new StringRedisTemplate(connections);
    }

    @AfterAll
    static void disconnect() {
        connections.destroy();
    }

    @BeforeEach
    void namespace() {
        keys = new RedisKeys("test-scripts-" + UUID.randomUUID());
        JobEvents events = events();
        store = new JobStore(redis, keys, SETTINGS, events);
        ledger = new WorkerLedger(redis, keys, SETTINGS, events);
        operations = new JobOperations(redis, keys);
    }

    @AfterEach
    void cleanUp() {
        redis.delete(redis.keys(keys.everything()));
    }

    // enqueue.lua

    @Test
    void enqueueWritesTheHashAndAppendsTheIdToItsPriorityList() {
        long redisNow = redisTime();
        long createdAt = store.enqueue(List.of(job("a", Priority.LOW), job("b", Priority.LOW), job("c", Priority.HIGH)))
                .toEpochMilli();

        assertThat(createdAt).isBetween(redisNow - 1000, redisNow + 1000);
        assertThat(list(Priority.LOW)).containsExactly("a", "b");
        assertThat(list(Priority.HIGH)).containsExactly("c");
        assertThat(list(Priority.NORMAL)).isEmpty();
        Job stored = store.find("a").orElseThrow();
        assertThat(stored.state()).isEqualTo(JobState.QUEUED);
        assertThat(stored.type()).isEqualTo("echo");
        assertThat(stored.payload()).isEqualTo("{\"n\":1}");
        assertThat(stored.attempts()).isZero();
        assertThat(stored.maxAttempts()).isEqualTo(3);
        assertThat(stored.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(stored.createdAt().toEpochMilli()).isEqualTo(createdAt);
        assertThat(redis.getExpire(keys.job("a"))).isEqualTo(-1);
    }

    @Test
    void enqueueWithADelaySchedulesTheJobAndClaimPromotesItWhenDue() {
        register("w1");
        store.enqueue(List.of(new NewJob("later", "echo", Priority.HIGH, "{}", 3, Duration.ofSeconds(5),
                Duration.ofMillis(200))));

        assertThat(state("later")).isEqualTo(JobState.SCHEDULED);
        assertThat(store.find("later").orElseThrow().runAt()).isNotNull();
        assertThat(list(Priority.HIGH)).isEmpty();
        WorkerLedger.Claim early = ledger.claim(node, 1);
        assertThat(early.jobs()).isEmpty();
        assertThat(early.nextDueIn()).isBetween(Duration.ofMillis(1), Duration.ofMillis(200));

        letRedisTimePass(210);
        assertThat(ledger.claim(node, 1).jobs()).extracting(ClaimedJob::id).containsExactly("later");
        assertThat(redis.opsForZSet().zCard(keys.scheduled())).isZero();
    }

    @Test
    void enqueueWithAKnownIdempotencyKeyWritesNothingAndReturnsWhatWasStored() {
        Enqueue.Options first = Enqueue.Options.NONE.withIdempotency("jobs", "k1", "a", "print-1");
        Enqueue.Options again = Enqueue.Options.NONE.withIdempotency("jobs", "k1", "b", "print-2");

        assertThat(store.enqueue(List.of(job("a", Priority.LOW)), first)).isInstanceOf(Enqueue.Accepted.class);
        assertThat(store.enqueue(List.of(job("b", Priority.LOW)), again)).isEqualTo(new Enqueue.Duplicate("a", "print-1"));

        assertThat(list(Priority.LOW)).containsExactly("a");
        assertThat(redis.hasKey(keys.job("b"))).isFalse();
        assertThat(redis.getExpire(keys.idempotency("jobs", "k1"))).isPositive();
    }

    @Test
    void enqueueOverCapacityWritesNothing() {
        JobStore small = new JobStore(redis, keys, TestProperties.sluice("queues.capacity", "2",
                "queues.per-priority.high", "1"), events());
        small.enqueue(List.of(job("a", Priority.LOW), job("b", Priority.HIGH)));

        assertThatThrownBy(() -> small.enqueue(List.of(job("c", Priority.LOW))))
                .isInstanceOfSatisfying(QueueFullException.class, e -> {
                    assertThat(e.scope()).isEqualTo("total");
                    assertThat(e.capacity()).isEqualTo(2);
                });
        redis.delete(keys.queue(Priority.LOW));
        assertThatThrownBy(() -> small.enqueue(List.of(job("d", Priority.HIGH))))
                .isInstanceOfSatisfying(QueueFullException.class, e -> assertThat(e.scope()).isEqualTo("high"));
        assertThat(redis.hasKey(keys.job("c"))).isFalse();
        assertThat(redis.hasKey(keys.job("d"))).isFalse();
    }

    // claim.lua

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

    // complete.lua

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

    // heartbeat.lua

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

    // reap.lua

    @Test
    void leavePutsRunningJobsBackAtTheHeadAndRemovesTheNode() {
        register("w1", "w2");
        store.enqueue(List.of(job("running", Priority.LOW)));
        ledger.claim(node, 1);
        store.enqueue(List.of(job("waiting", Priority.LOW)));

        WorkerLedger.Reaped left = ledger.leave(node);

        assertThat(left.requeued()).isEqualTo(1);
        assertThat(left.nodes()).isEqualTo(1);
        assertThat(list(Priority.LOW)).containsExactly("running", "waiting");
        Job back = store.find("running").orElseThrow();
        assertThat(back.state()).isEqualTo(JobState.QUEUED);
        assertThat(back.node()).isNull();
        assertThat(back.attempts()).as("the lost attempt counts").isEqualTo(1);
        assertThat(back.errorType()).isEqualTo("Lost");
        assertNodeGone(node);
    }

    @Test
    void leaveOfAnUnknownNodeChangesNothingElse() {
        store.enqueue(List.of(job("a", Priority.LOW)));

        assertThat(ledger.leave("nobody").requeued()).isZero();
        assertThat(list(Priority.LOW)).containsExactly("a");
    }

    @Test
    void reapRecoversEveryJobOfASilentNodeAndRemovesItsTokens() {
        register("w1", "w2", "w3");
        store.enqueue(List.of(job("a", Priority.HIGH), job("b", Priority.NORMAL)));
        ledger.claim(node, 3);
        store.enqueue(List.of(job("next", Priority.NORMAL)));
        redis.opsForZSet().add(keys.nodes(), node, redisTime() - LEASE.toMillis() - 1000);

        WorkerLedger.Reaped reaped = ledger.reap("reaper-node");

        assertThat(reaped).isEqualTo(new WorkerLedger.Reaped(2, 0, 0, 1));
        assertThat(list(Priority.HIGH)).containsExactly("a");
        assertThat(list(Priority.NORMAL)).as("back at the head").containsExactly("b", "next");
        assertThat(store.find("a").orElseThrow().attempts()).isEqualTo(1);
        assertThat(state("b")).isEqualTo(JobState.QUEUED);
        assertNodeGone(node);
        assertThat(ledger.reap("reaper-node").skipped()).as("one reaping per tick").isTrue();
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

        WorkerLedger.Reaped reaped = ledger.reap("reaper-node");

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

        WorkerLedger.Reaped reaped = ledger.reap("reaper-node");

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

        WorkerLedger.Reaped reaped = ledger.reap("reaper-node");

        assertThat(reaped).isEqualTo(new WorkerLedger.Reaped(0, 0, 0, 0));
        assertThat(tokens()).containsExactly("w1");
    }

    // cancel.lua

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

    // watch.lua

    @Test
    void watchMarksAndReturnsAJobAndCreatesNothingForAMissingOne() {
        store.enqueue(List.of(job("a", Priority.NORMAL)));

        Job watched = store.watch("a").orElseThrow();

        assertThat(watched.state()).isEqualTo(JobState.QUEUED);
        assertThat(watched.type()).isEqualTo("echo");
        assertThat(redis.opsForHash().get(keys.job("a"), "watched")).isEqualTo("1");
        assertThat(store.watch("missing")).isEmpty();
        assertThat(redis.hasKey(keys.job("missing"))).isFalse();
    }

    // retry.lua

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

    @Test
    void enqueueCreatesAnAttachedRecordWithItsJobsAndNeitherWithoutTheOther() {
        Records records = new Records(redis, keys, JsonMapper.builder().build());
        Enqueue.Record order = records.attach("order", "o1", java.util.Map.of("state", "accepted"), "customer",
                "ada@example.com", Duration.ofHours(1), "timeline", "{\"step\":\"accepted\"}");

        store.enqueue(List.of(job("a", Priority.NORMAL)), Enqueue.Options.NONE.withRecord(order));

        assertThat(records.read("order", "o1")).containsEntry("state", "accepted");
        assertThat(records.indexed("order", "customer", "ada@example.com")).containsExactly("o1");
        assertThat(records.list("order", "o1", "timeline")).containsExactly("{\"step\":\"accepted\"}");
        assertThat(redis.getExpire(keys.record("order", "o1"))).isPositive();

        Enqueue.Record refused = records.attach("order", "o2", java.util.Map.of("state", "accepted"), "customer",
                "ada@example.com", Duration.ofHours(1), "timeline", "x");
        Enqueue.Result duplicate = store.enqueue(List.of(job("b", Priority.NORMAL)), Enqueue.Options.NONE
                .withIdempotency("orders", "k", "o2", "print").withRecord(refused));
        assertThat(duplicate).isInstanceOf(Enqueue.Accepted.class);
        Enqueue.Result replay = store.enqueue(List.of(job("c", Priority.NORMAL)), Enqueue.Options.NONE
                .withIdempotency("orders", "k", "o3", "print").withRecord(records.attach("order", "o3",
                        java.util.Map.of("state", "accepted"), "customer", "ada@example.com", Duration.ofHours(1),
                        "timeline", "x")));
        assertThat(replay).isInstanceOf(Enqueue.Duplicate.class);
        assertThat(records.read("order", "o3")).as("a replayed enqueue writes no record").isEmpty();
        assertThat(redis.hasKey(keys.job("c"))).isFalse();
    }

    @Test
    void aRunAtIsDueByRedisTimeNotByTheCallersClock() {
        long due = redisTime() + 60_000;

        store.enqueue(List.of(new NewJob("at", "echo", Priority.NORMAL, "{}", 3, Duration.ofSeconds(5), Duration.ZERO,
                null, java.time.Instant.ofEpochMilli(due))));

        assertThat(redis.opsForZSet().score(keys.scheduled(), "at")).isEqualTo((double) due);
        assertThat(store.find("at").orElseThrow().runAt().toEpochMilli()).isEqualTo(due);
        assertThat(state("at")).isEqualTo(JobState.SCHEDULED);
    }

    // heartbeat.lua: what it hands back, what it names for cancelling, the namespace epoch

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

        WorkerLedger.Heartbeat after = ledger.heartbeat(node, 1, List.of("w1"), List.of(), List.of(), first.epoch());
        assertThat(after.dataLost()).isTrue();
        assertThat(after.epoch()).isNotEqualTo(first.epoch());
        assertThat(ledger.heartbeat("node-b", 1, List.of("w1"), List.of(), List.of(), first.epoch()).dataLost())
                .as("every node that knew the old epoch notices").isTrue();
        assertThat(ledger.heartbeat(node, 1, List.of("w1"), List.of(), List.of(), after.epoch()).dataLost()).isFalse();
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

    private void assertNodeGone(String id) {
        assertThat(redis.hasKey(keys.freeWorkers(id))).isFalse();
        assertThat(redis.hasKey(keys.leases(id))).isFalse();
        assertThat(redis.hasKey(keys.node(id))).isFalse();
        assertThat(redis.opsForZSet().score(keys.nodes(), id)).isNull();
    }

    private JobEvents events() {
        return new JobEvents(redis, keys, JsonMapper.builder().build(), new JobSignals(connections, keys),
                new org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler());
    }

    private void register(String... tokens) {
        ledger.heartbeat(node, tokens.length, List.of(tokens), List.of(), List.of(), null);
    }

    private List<String> tokens() {
        return redis.opsForList().range(keys.freeWorkers(node), 0, -1);
    }

    private List<String> list(Priority priority) {
        return redis.opsForList().range(keys.queue(priority), 0, -1);
    }

    private JobState state(String id) {
        return store.find(id).orElseThrow().state();
    }

    private static NewJob job(String id, Priority priority) {
        return job(id, priority, 3);
    }

    private static NewJob job(String id, Priority priority, int maxAttempts) {
        return new NewJob(id, "echo", priority, "{\"n\":1}", maxAttempts, Duration.ofSeconds(5));
    }

    private static void letRedisTimePass(long millis) {
        long start = redisTime();
        org.awaitility.Awaitility.await().until(() -> redisTime() >= start + millis);
    }

    private static long redisTime() {
        return redis.execute((RedisCallback<Long>) c -> c.serverCommands().time());
    }
}
