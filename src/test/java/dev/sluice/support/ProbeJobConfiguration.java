package dev.sluice.support;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Registers the {@link ProbeJob} handler in a test's application context. */
@TestConfiguration(proxyBeanMethods = false)
public class ProbeJobConfiguration {

    @Bean
    ProbeJob probeJob() {
        return new ProbeJob();
    }
}
