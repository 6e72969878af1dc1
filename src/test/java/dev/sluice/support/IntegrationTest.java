package dev.sluice.support;

import java.util.Set;

import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.SmartLifecycle;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.sluice.queue.RedisKeys;

/**
 * The app on a random port against the test Redis, in a key namespace of its own (random, so a shared
 * server is never disturbed), with the {@link ProbeJob} registered. Each test class gets its own
 * context, closed after the class, so no dispatcher outlives its tests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "sluice.namespace=test-${random.uuid}")
@Import({ProbeJobConfiguration.class, IntegrationTest.Cleanup.class})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
public abstract class IntegrationTest {

    @LocalServerPort
    protected int port;

    @Autowired
    protected StringRedisTemplate redis;

    @Autowired
    protected RedisKeys keys;

    @Autowired
    protected ProbeJob probe;

    protected Api api;

    @DynamicPropertySource
    static void redis(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.url", TestRedis::url);
        registry.add("sluice.embedded-redis.enabled", () -> "false");
    }

    @BeforeEach
    void connectApi() {
        api = new Api(port);
    }

    /** Waits until nothing is queued, scheduled, retrying or running: earlier tests' work has settled. */
    protected void awaitQuiet() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            var queues = api.get("/api/queues").json();
            long waiting = queues.get("queues").valueStream().mapToLong(tools.jackson.databind.JsonNode::asLong).sum();
            return waiting + queues.get("running").asLong() + queues.get("retrying").asLong() == 0;
        });
    }

    /** Every key of this test's namespace. */
    protected Set<String> namespaceKeys() {
        return redis.keys(keys.everything());
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Cleanup {
        @Bean
        NamespaceCleaner namespaceCleaner(StringRedisTemplate redis, RedisKeys keys) {
            return new NamespaceCleaner(redis, keys);
        }
    }

    /**
     * Deletes this context's keys, and only those, when it closes: after the dispatcher has left (it
     * stops in a higher phase) and before the Redis connection factory stops (phase 0).
     */
    static class NamespaceCleaner implements SmartLifecycle {
        private final StringRedisTemplate redis;
        private final RedisKeys keys;
        private volatile boolean running;

        NamespaceCleaner(StringRedisTemplate redis, RedisKeys keys) {
            this.redis = redis;
            this.keys = keys;
        }

        @Override
        public void start() {
            running = true;
        }

        @Override
        public void stop() {
            redis.delete(redis.keys(keys.everything()));
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        @Override
        public int getPhase() {
            return SmartLifecycle.DEFAULT_PHASE - 8192;
        }
    }
}
