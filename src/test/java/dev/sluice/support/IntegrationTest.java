package dev.sluice.support;

import java.util.Set;

import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
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
@Import(IntegrationTest.Probes.class)
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

    /** Every key of this test's namespace. */
    protected Set<String> namespaceKeys() {
        return redis.keys(keys.everything());
    }

    @TestConfiguration(proxyBeanMethods = false)
    static class Probes {
        @Bean
        ProbeJob probeJob() {
            return new ProbeJob();
        }

        /** Deletes this context's keys, and only those, when it closes (after the node has left). */
        @Bean
        DisposableBean namespaceCleaner(StringRedisTemplate redis, RedisKeys keys) {
            return () -> redis.delete(redis.keys(keys.everything()));
        }
    }
}
