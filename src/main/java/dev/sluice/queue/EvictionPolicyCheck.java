package dev.sluice.queue;

import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;

/**
 * Checks at start-up that Redis will not evict keys: with {@code maxmemory} and any policy but
 * {@code noeviction}, Redis silently deletes job records under memory pressure and accepted jobs
 * vanish. By default start-up fails; {@code sluice.redis.eviction-policy=warn} only warns (loudly).
 */
@Component
class EvictionPolicyCheck implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(EvictionPolicyCheck.class);

    private final StringRedisTemplate redis;
    private final boolean failOnEviction;

    EvictionPolicyCheck(StringRedisTemplate redis, SluiceProperties properties) {
        this.redis = redis;
        this.failOnEviction = properties.redis().evictionPolicy().equals("fail");
    }

    @Override
    public void afterSingletonsInstantiated() {
        String policy;
        try {
            Properties memory = redis.execute((RedisCallback<Properties>) (RedisConnection c) ->
                    c.serverCommands().info("memory"));
            policy = memory == null ? null : memory.getProperty("maxmemory_policy");
        } catch (RuntimeException e) {
            log.warn("Could not read Redis's maxmemory-policy ({}); make sure it is noeviction", e.getMessage());
            return;
        }
        check(policy);
    }

    void check(String policy) {
        if (policy == null || policy.equals("noeviction")) {
            return;
        }
        String message = "Redis's maxmemory-policy is '" + policy + "': under memory pressure Redis deletes keys, "
                + "and accepted jobs vanish without a trace. Set maxmemory-policy noeviction (Redis then refuses "
                + "writes when full, and Sluice answers 503), or set sluice.redis.eviction-policy=warn to run anyway.";
        if (failOnEviction) {
            throw new IllegalStateException(message);
        }
        log.error(message);
    }
}
