package dev.sluice.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class SluiceConfiguration {

    @Bean
    NodeId nodeId(SluiceProperties properties) {
        return NodeId.of(properties);
    }
}
