package dev.sluice.queue;

import io.lettuce.core.ClientOptions;

import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

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
}
