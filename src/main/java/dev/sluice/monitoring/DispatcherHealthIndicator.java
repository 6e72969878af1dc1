package dev.sluice.monitoring;

import java.time.Duration;
import java.time.Instant;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;
import dev.sluice.dispatch.Dispatcher;
import dev.sluice.dispatch.DispatcherStatus;

/**
 * Up while the dispatcher loop runs and has reached Redis within a few heartbeats; out of service
 * while it drains for shutdown, so readiness goes down before the node stops taking work. Shown as
 * {@code dispatcher} in {@code /actuator/health}, beside Spring Boot's own {@code redis} indicator.
 */
@Component
class DispatcherHealthIndicator implements HealthIndicator {

    private final Dispatcher dispatcher;
    private final Duration staleAfter;

    DispatcherHealthIndicator(Dispatcher dispatcher, SluiceProperties properties) {
        this.dispatcher = dispatcher;
        this.staleAfter = properties.dispatch().heartbeat().multipliedBy(3);
    }

    @Override
    public Health health() {
        DispatcherStatus status = dispatcher.status();
        if (!status.enabled()) {
            return Health.up().withDetail("node", status.node()).withDetail("workers", "disabled (API-only node)")
                    .build();
        }
        boolean fresh = status.lastContact() != null
                && status.lastContact().isAfter(Instant.now().minus(staleAfter));
        Health.Builder health = status.stopping() ? Health.outOfService()
                : status.alive() && fresh ? Health.up() : Health.down();
        return health.withDetail("node", status.node())
                .withDetail("stopping", status.stopping())
                .withDetail("poolSize", status.poolSize())
                .withDetail("loopRunning", status.alive())
                .withDetail("lastRedisContact", String.valueOf(status.lastContact()))
                .withDetail("tokenRepairs", status.repairs())
                .build();
    }
}
