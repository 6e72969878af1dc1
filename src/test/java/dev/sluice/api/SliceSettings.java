package dev.sluice.api;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;

import dev.sluice.config.SluiceProperties;

/** What a controller slice needs beside its controller: the settings tree the controllers and the problem handler read. */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties(SluiceProperties.class)
class SliceSettings {
}
