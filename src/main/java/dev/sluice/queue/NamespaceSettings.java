package dev.sluice.queue;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;

/**
 * Writes the settings the scripts read from Redis ({@code {ns}:config}) when the node starts: how many
 * unsuccessful attempts a job keeps in its history. Nodes configured differently: the last one started wins.
 */
@Component
class NamespaceSettings implements ApplicationRunner {

    private final StringRedisTemplate redis;
    private final Partitions partitions;
    private final int attemptHistory;

    NamespaceSettings(StringRedisTemplate redis, Partitions partitions, SluiceProperties properties) {
        this.redis = redis;
        this.partitions = partitions;
        this.attemptHistory = properties.jobs().attemptHistory();
    }

    @Override
    public void run(ApplicationArguments args) {
        for (RedisKeys keys : partitions.all()) { // every partition's scripts read their own
            redis.opsForHash().put(keys.config(), "attemptHistory", Integer.toString(attemptHistory));
        }
    }
}
