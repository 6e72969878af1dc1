package dev.sluice.config;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class SluiceConfiguration {

    @Bean
    NodeId nodeId(SluiceProperties properties) {
        return NodeId.of(properties);
    }

    /** This JVM's clock, for what is local to a node; times nodes must agree on come from Redis TIME. */
    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }
}
