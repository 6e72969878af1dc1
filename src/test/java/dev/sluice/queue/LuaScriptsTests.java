package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.sluice.support.TestRedis;

/** Each script's contract against a real Redis, empty and wrong-state paths included. */
class LuaScriptsTests {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration RETENTION = Duration.ofHours(1);
    private static LettuceConnectionFactory connections;
    private static StringRedisTemplate redis;

    private RedisKeys keys;
    private JobStore store;
    private WorkerLedger ledger;
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
        store = new JobStore(redis, keys);
        ledger = new WorkerLedger(redis, keys);
    }

    @AfterEach
    void cleanUp() {
        redis.delete(redis.keys(keys.everything()));
    }

    @Test
    void enqueueWritesTheHashAndAppendsTheIdToItsPriorityList() {
        NewJob first = job("a", Priority.LOW);
        NewJob second = job("b", Priority.LOW);
        NewJob urgent = job("c", Priority.HIGH);

        long redisNow = redisTime();
        long createdAt = store.enqueue(List.of(first, second, urgent)).toEpochMilli();

        assertThat(createdAt).isBetween(redisNow - 1000, redisNow + 1000);
        assertThat(redis.opsForList().range(keys.queue(Priority.LOW), 0, -1)).containsExactly("a", "b");
        assertThat(redis.opsForList().range(keys.queue(Priority.HIGH), 0, -1)).containsExactly("c");
        assertThat(redis.opsForList().size(keys.queue(Priority.NORMAL))).isZero();
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
    void claimWithoutTokensTakesNothing() {
        store.enqueue(List.of(job("a", Priority.HIGH)));

        assertThat(ledger.claim(node, 4, LEASE)).isEmpty();
        assertThat(redis.opsForList().size(keys.queue(Priority.HIGH))).isEqualTo(1);
        assertThat(store.find("a").orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }

    @Test
    void claimWithoutJobsGivesEveryTokenBack() {
        register("w1", "w2", "w3");

        assertThat(ledger.claim(node, 3, LEASE)).isEmpty();
        assertThat(redis.opsForList().range(keys.freeWorkers(node), 0, -1)).containsExactlyInAnyOrder("w1", "w2", "w3");
    }

    @Test
    void claimTakesHighThenNormalThenLowAndPaysEachJobWithOneToken() {
        register("w1", "w2", "w3", "w4");
        store.enqueue(List.of(job("low", Priority.LOW), job("normal", Priority.NORMAL), job("high", Priority.HIGH)));

        List<ClaimedJob> claimed = ledger.claim(node, 4, LEASE);

        assertThat(claimed).extracting(ClaimedJob::id).containsExactly("high", "normal", "low");
        assertThat(claimed).extracting(ClaimedJob::token).doesNotHaveDuplicates();
        assertThat(claimed).allSatisfy(job -> {
            assertThat(job.attempt()).isEqualTo(1);
            assertThat(job.type()).isEqualTo("echo");
            assertThat(job.timeout()).isEqualTo(Duration.ofSeconds(5));
        });
        assertThat(redis.opsForList().size(keys.freeWorkers(node))).isEqualTo(1);
        assertThat(redis.opsForZSet().zCard(keys.leases(node))).isEqualTo(3);
        Job high = store.find("high").orElseThrow();
        assertThat(high.state()).isEqualTo(JobState.RUNNING);
        assertThat(high.node()).isEqualTo(node);
        assertThat(high.attempts()).isEqualTo(1);
        assertThat(high.startedAt()).isNotNull();
        Double deadline = redis.opsForZSet().score(keys.leases(node), "high");
        assertThat(deadline.longValue() - high.startedAt().toEpochMilli()).isEqualTo(LEASE.toMillis());
    }

    @Test
    void claimTakesNoMoreThanAskedOrThanThereAreTokens() {
        register("w1", "w2");
        store.enqueue(List.of(job("a", Priority.NORMAL), job("b", Priority.NORMAL), job("c", Priority.NORMAL)));

        assertThat(ledger.claim(node, 1, LEASE)).extracting(ClaimedJob::id).containsExactly("a");
        assertThat(ledger.claim(node, 5, LEASE)).extracting(ClaimedJob::id).containsExactly("b");
        assertThat(redis.opsForList().range(keys.queue(Priority.NORMAL), 0, -1)).containsExactly("c");
        assertThat(redis.opsForList().size(keys.freeWorkers(node))).isZero();
    }

    @Test
    void claimDropsIdsWhoseJobIsGoneOrNotQueued() {
        register("w1");
        store.enqueue(List.of(job("real", Priority.NORMAL)));
        redis.opsForList().leftPush(keys.queue(Priority.HIGH), "ghost");
        store.enqueue(List.of(job("done", Priority.HIGH)));
        redis.opsForHash().put(keys.job("done"), "state", "succeeded");

        assertThat(ledger.claim(node, 1, LEASE)).extracting(ClaimedJob::id).containsExactly("real");
        assertThat(redis.opsForList().size(keys.queue(Priority.HIGH))).isZero();
    }

    @Test
    void completeRecordsTheOutcomeEndsTheLeaseAndGivesTheTokenBack() {
        register("w1", "w2");
        store.enqueue(List.of(job("ok", Priority.NORMAL), job("bad", Priority.NORMAL)));
        List<ClaimedJob> claimed = ledger.claim(node, 2, LEASE);

        int recorded = ledger.complete(node, List.of(Outcome.succeeded(claimed.get(0), "42"),
                Outcome.failed(claimed.get(1), "boom", "IllegalStateException")), RETENTION);

        assertThat(recorded).isEqualTo(2);
        Job ok = store.find("ok").orElseThrow();
        assertThat(ok.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(ok.result()).isEqualTo("42");
        assertThat(ok.finishedAt()).isNotNull();
        Job bad = store.find("bad").orElseThrow();
        assertThat(bad.state()).isEqualTo(JobState.FAILED);
        assertThat(bad.error()).isEqualTo("boom");
        assertThat(bad.errorType()).isEqualTo("IllegalStateException");
        assertThat(redis.getExpire(keys.job("ok"))).isBetween(RETENTION.toSeconds() - 5, RETENTION.toSeconds());
        assertThat(redis.opsForZSet().zCard(keys.leases(node))).isZero();
        assertThat(redis.opsForList().range(keys.freeWorkers(node), 0, -1)).containsExactlyInAnyOrder("w1", "w2");
    }

    @Test
    void completeFencesOffAStaleAttemptButStillReturnsItsToken() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.NORMAL)));
        ClaimedJob claimed = ledger.claim(node, 1, LEASE).get(0);
        ClaimedJob stale = new ClaimedJob(claimed.id(), claimed.token(), claimed.type(), claimed.payload(),
                claimed.attempt() - 1, claimed.timeout());

        assertThat(ledger.complete(node, List.of(Outcome.succeeded(stale, "old")), RETENTION)).isZero();

        Job job = store.find("a").orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.RUNNING);
        assertThat(job.result()).isNull();
        assertThat(redis.opsForZSet().score(keys.leases(node), "a")).isNotNull();
        assertThat(redis.opsForList().range(keys.freeWorkers(node), 0, -1)).containsExactly("w1");
    }

    @Test
    void completeFencesOffAnotherNodesJob() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.NORMAL)));
        ClaimedJob claimed = ledger.claim(node, 1, LEASE).get(0);

        assertThat(ledger.complete("node-b", List.of(Outcome.succeeded(claimed, "x")), RETENTION)).isZero();
        assertThat(store.find("a").orElseThrow().state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void completeReplayedAfterALostReplyDoesNotDoubleTheToken() {
        register("w1", "w2");
        store.enqueue(List.of(job("a", Priority.NORMAL)));
        Outcome outcome = Outcome.succeeded(ledger.claim(node, 2, LEASE).get(0), "1");

        assertThat(ledger.complete(node, List.of(outcome), RETENTION)).isEqualTo(1);
        assertThat(ledger.complete(node, List.of(outcome), RETENTION)).isZero();

        assertThat(redis.opsForList().range(keys.freeWorkers(node), 0, -1)).containsExactlyInAnyOrder("w1", "w2");
    }

    @Test
    void heartbeatRegistersANodeWithExactlyItsTokensAndRepairsDrift() {
        WorkerLedger.Heartbeat first = ledger.heartbeat(node, 3, List.of("w1", "w2", "w3"), List.of(), LEASE);
        assertThat(first.repaired()).isTrue();
        assertThat(redis.opsForZSet().score(keys.nodes(), node)).isEqualTo((double) first.at().toEpochMilli());
        assertThat(redis.opsForHash().get(keys.node(node), "poolSize")).isEqualTo("3");

        assertThat(ledger.heartbeat(node, 3, List.of("w3", "w1", "w2"), List.of(), LEASE).repaired()).isFalse();

        redis.opsForList().rightPush(keys.freeWorkers(node), "w1");
        assertThat(ledger.heartbeat(node, 3, List.of("w1", "w2", "w3"), List.of(), LEASE).repaired()).isTrue();
        assertThat(redis.opsForList().range(keys.freeWorkers(node), 0, -1)).containsExactlyInAnyOrder("w1", "w2", "w3");

        redis.opsForList().rightPop(keys.freeWorkers(node));
        assertThat(ledger.heartbeat(node, 3, List.of("w1", "w2", "w3"), List.of(), LEASE).repaired()).isTrue();
        assertThat(redis.opsForList().size(keys.freeWorkers(node))).isEqualTo(3);
    }

    @Test
    void heartbeatRenewsOnlyLeasesThatStillExist() {
        register("w1");
        store.enqueue(List.of(job("a", Priority.NORMAL)));
        ledger.claim(node, 1, LEASE);
        double before = redis.opsForZSet().score(keys.leases(node), "a");
        await(5);

        ledger.heartbeat(node, 1, List.of(), List.of("a", "recovered-elsewhere"), LEASE);

        assertThat(redis.opsForZSet().score(keys.leases(node), "a")).isGreaterThan(before);
        assertThat(redis.opsForZSet().score(keys.leases(node), "recovered-elsewhere")).isNull();
    }

    @Test
    void leavePutsRunningJobsBackAtTheHeadAndRemovesTheNode() {
        register("w1", "w2");
        store.enqueue(List.of(job("running", Priority.LOW)));
        ledger.claim(node, 1, LEASE);
        store.enqueue(List.of(job("waiting", Priority.LOW)));

        assertThat(ledger.leave(node)).isEqualTo(1);

        assertThat(redis.opsForList().range(keys.queue(Priority.LOW), 0, -1)).containsExactly("running", "waiting");
        Job back = store.find("running").orElseThrow();
        assertThat(back.state()).isEqualTo(JobState.QUEUED);
        assertThat(back.node()).isNull();
        assertThat(redis.hasKey(keys.freeWorkers(node))).isFalse();
        assertThat(redis.hasKey(keys.leases(node))).isFalse();
        assertThat(redis.hasKey(keys.node(node))).isFalse();
        assertThat(redis.opsForZSet().score(keys.nodes(), node)).isNull();
    }

    @Test
    void leaveOfAnUnknownNodeChangesNothing() {
        store.enqueue(List.of(job("a", Priority.LOW)));

        assertThat(ledger.leave("nobody")).isZero();
        assertThat(redis.opsForList().range(keys.queue(Priority.LOW), 0, -1)).containsExactly("a");
    }

    private void register(String... tokens) {
        ledger.heartbeat(node, tokens.length, List.of(tokens), List.of(), LEASE);
    }

    private static NewJob job(String id, Priority priority) {
        return new NewJob(id, "echo", priority, "{\"n\":1}", 3, Duration.ofSeconds(5));
    }

    /** Lets Redis time move on by a few milliseconds. */
    private static void await(long millis) {
        long start = redisTime();
        org.awaitility.Awaitility.await().until(() -> redisTime() >= start + millis);
    }

    private static long redisTime() {
        return redis.execute((RedisCallback<Long>) c -> c.serverCommands().time());
    }
}
