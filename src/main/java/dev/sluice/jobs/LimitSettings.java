package dev.sluice.jobs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;
import dev.sluice.queue.Limits;

/** Writes the concurrency caps of {@code sluice.limits.types} to Redis when the node starts. */
@Component
class LimitSettings implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(LimitSettings.class);

    private final Limits limits;
    private final SluiceProperties.Limits settings;

    LimitSettings(Limits limits, SluiceProperties properties) {
        this.limits = limits;
        this.settings = properties.limits();
    }

    private static Limits.Rate rate(SluiceProperties.Limits.Rate rate) {
        return rate == null ? null : new Limits.Rate(rate.limit(), rate.period());
    }

    @Override
    public void run(ApplicationArguments args) {
        settings.types().forEach((type, caps) -> {
            limits.put(type, new Limits.Caps(caps.concurrency(), caps.perKeyConcurrency(), rate(caps.rate()),
                    rate(caps.perKeyRate())));
            log.info("Job type {}: at most {} running at once, {} per key", type,
                    caps.concurrency() == null ? "any number" : caps.concurrency(),
                    caps.perKeyConcurrency() == null ? "any number" : caps.perKeyConcurrency());
        });
    }
}
