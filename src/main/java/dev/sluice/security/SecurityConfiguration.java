package dev.sluice.security;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

import dev.sluice.config.SluiceProperties;

@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    /** Runs before anything reads the body: a request without a valid key costs no parsing. */
    @Bean
    FilterRegistrationBean<?> apiKeyFilter(SluiceProperties properties, JsonMapper json) {
        SluiceProperties.Security security = properties.security();
        if (security.apiKeys().isEmpty()) {
            if (security.requireKeys()) {
                throw new IllegalStateException("sluice.security.require-keys is set but no API key is configured: "
                        + "set sluice.security.api-keys[0].name, .hash (sha256:<hex>) and .role (producer|admin), "
                        + "or set sluice.security.require-keys=false to run without keys on purpose.");
            }
            log.warn("No API keys configured: the API is open to anyone who can reach it (local development). "
                    + "Set sluice.security.api-keys to require keys.");
            var disabled = new FilterRegistrationBean<>(new ApiKeyFilter(security.apiKeys(), json));
            disabled.setEnabled(false);
            return disabled;
        }
        var registration = new FilterRegistrationBean<>(new ApiKeyFilter(security.apiKeys(), json));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 5);
        registration.addUrlPatterns("/*");
        return registration;
    }
}
