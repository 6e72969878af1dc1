package dev.sluice.monitoring;

import java.time.Clock;
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
    private final Clock clock;
    private final Duration staleAfter;
    private final Duration stuckAfter;

    DispatcherHealthIndicator(Dispatcher dispatcher, SluiceProperties properties, Clock clock) {
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.staleAfter = properties.dispatch().heartbeat().multipliedBy(3);
        this.stuckAfter = properties.dispatch().lease();
    }

    @Override
    public Health health() {
        DispatcherStatus status = dispatcher.status();
        if (!status.enabled()) {
            return Health.up().withDetail("node", status.node()).withDetail("workers", "disabled (API-only node)")
                    .build();
        }
        Instant now = clock.instant();
        boolean fresh = status.lastContact() != null && status.lastContact().isAfter(now.minus(staleAfter));
        // a node whose claims keep failing for longer than a lease is no longer doing its work, even
        // if its heartbeat still reaches Redis
        boolean claiming = status.lastCycle() != null && status.lastCycle().isAfter(now.minus(stuckAfter));
        Health.Builder health = status.stopping() ? Health.outOfService()
                : status.alive() && fresh && claiming ? Health.up() : Health.down();
        return health.withDetail("node", status.node())
                .withDetail("stopping", status.stopping())
                .withDetail("poolSize", status.poolSize())
                .withDetail("loopRunning", status.alive())
                .withDetail("lastRedisContact", String.valueOf(status.lastContact()))
                .withDetail("lastClaimCycle", String.valueOf(status.lastCycle()))
                .withDetail("tokenRepairs", status.repairs())
                .withDetail("lostJobs", status.lostJobs())
                .withDetail("redisDataLost", status.dataLosses())
                .build();
    }
}
