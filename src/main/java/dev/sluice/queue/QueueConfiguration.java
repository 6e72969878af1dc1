package dev.sluice.queue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.lettuce.core.ClientOptions;

import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import dev.sluice.config.SluiceProperties;

@Configuration(proxyBeanMethods = false)
class QueueConfiguration {

    @Bean
    RedisKeys redisKeys(SluiceProperties properties) {
        return new RedisKeys(properties.namespace());
    }

    /**
     * While Redis is away, fail commands at once instead of queueing them until the command timeout:
     * a producer gets its 503 immediately, and the dispatcher backs off and retries on its own.
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer rejectWhileDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    /** The listener container is a bean so that Spring starts and stops its subscription. */
    @Bean
    RedisMessageListenerContainer jobSignalsContainer(JobSignals signals) {
        return signals.container();
    }

    /** Reads jobs once their wait ends, and sends event streams, off the pub/sub and timer threads. */
    @Bean(destroyMethod = "shutdown")
    ExecutorService sluiceWaitExecutor() {
        return Executors.newFixedThreadPool(4, new CustomizableThreadFactory("sluice-wait-"));
    }
}
