package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.sluice.config.SluiceProperties;
import dev.sluice.support.TestProperties;
import dev.sluice.support.TestRedis;

/**
 * What every script test shares: a real Redis (the test Redis), a fresh namespace per test, the
 * queue's writers built on it, and small helpers. Each script has its own test class.
 */
abstract class ScriptTestSupport {

    static final SluiceProperties SETTINGS = TestProperties.sluice(
            "dispatch.lease", "30s", "jobs.retention", "1h", "jobs.dead-retention", "2h");
    static final Duration LEASE = SETTINGS.dispatch().lease();
    static LettuceConnectionFactory connections;
    static StringRedisTemplate redis;

    RedisKeys keys;
    JobStore store;
    WorkerLedger ledger;
    JobOperations operations;
    NodeRecovery recovery;
    final String node = "node-a";

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
        store = new JobStore(redis, Partitions.single(keys), SETTINGS, events);
        ledger = new WorkerLedger(redis, Partitions.single(keys), SETTINGS, events);
        operations = new JobOperations(redis, Partitions.single(keys));
        recovery = new NodeRecovery(redis, Partitions.single(keys), SETTINGS);
    }

    @AfterEach
    void cleanUp() {
        redis.delete(redis.keys(keys.everything()));
    }

    void assertNodeGone(String id) {
        assertThat(redis.hasKey(keys.freeWorkers(id))).isFalse();
        assertThat(redis.hasKey(keys.leases(id))).isFalse();
        assertThat(redis.hasKey(keys.node(id))).isFalse();
        assertThat(redis.opsForZSet().score(keys.nodes(), id)).isNull();
    }

    JobEvents events() {
        return new JobEvents(redis, Partitions.single(keys), JsonMapper.builder().build(), new JobSignals(connections, Partitions.single(keys)),
                new org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler());
    }

    void register(String... tokens) {
        ledger.heartbeat(node, tokens.length, List.of(tokens), List.of(), List.of(), null);
    }

    List<String> tokens() {
        return redis.opsForList().range(keys.freeWorkers(node), 0, -1);
    }

    List<String> list(Priority priority) {
        return redis.opsForList().range(keys.queue(priority), 0, -1);
    }

    JobState state(String id) {
        return store.find(id).orElseThrow().state();
    }

    static NewJob job(String id, Priority priority) {
        return job(id, priority, 3);
    }

    static NewJob job(String id, Priority priority, int maxAttempts) {
        return new NewJob(id, "echo", priority, "{\"n\":1}", maxAttempts, Duration.ofSeconds(5));
    }

    static void letRedisTimePass(long millis) {
        long start = redisTime();
        org.awaitility.Awaitility.await().until(() -> redisTime() >= start + millis);
    }

    static long redisTime() {
        return redis.execute((RedisCallback<Long>) c -> c.serverCommands().time());
    }
}
