package dev.sluice.config;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

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

    /**
     * The one timer of a node: the reaper's ticks, the event firehose's refresh and the periodic
     * schedules all run on it (each task is short; job timeouts have the worker pool's own timer).
     */
    @Bean
    ThreadPoolTaskScheduler sluiceScheduler(Clock clock) {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(2);
        scheduler.setThreadNamePrefix("sluice-timer-");
        scheduler.setDaemon(true);
        scheduler.setClock(clock);
        scheduler.setRemoveOnCancelPolicy(true);
        return scheduler;
    }
}
