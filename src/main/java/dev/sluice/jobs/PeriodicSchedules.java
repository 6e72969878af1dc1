package dev.sluice.jobs;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;
import dev.sluice.queue.Priority;

/**
 * Fires the periodic jobs of {@code sluice.schedules}. Every node runs every schedule; each firing is
 * submitted with the idempotency key {@code <name>:<fire time>}, so however many nodes fire, the
 * period's job is enqueued once. Start-up fails on a schedule with a bad cron, type or payload.
 */
@Component
class PeriodicSchedules implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(PeriodicSchedules.class);

    private final JobSubmitter submitter;
    private final List<Entry> entries = new ArrayList<>();
    private volatile ScheduledExecutorService timer;

    private record Entry(SluiceProperties.Schedule schedule, CronExpression cron, JsonNode payload) {
    }

    PeriodicSchedules(JobSubmitter submitter, JobTypes types, JsonMapper json, SluiceProperties properties) {
        this.submitter = submitter;
        for (SluiceProperties.Schedule schedule : properties.schedules()) {
            JsonNode payload = json.readTree(schedule.payload());
            types.validate(schedule.type(), payload);
            entries.add(new Entry(schedule, CronExpression.parse(schedule.cron()), payload));
        }
    }

    @Override
    public void start() {
        if (entries.isEmpty()) {
            return;
        }
        CustomizableThreadFactory threads = new CustomizableThreadFactory("sluice-schedules-");
        threads.setDaemon(true);
        timer = Executors.newSingleThreadScheduledExecutor(threads);
        entries.forEach(this::scheduleNext);
    }

    private void scheduleNext(Entry entry) {
        ZonedDateTime next = entry.cron().next(ZonedDateTime.now(ZoneId.systemDefault()));
        if (next == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(Instant.now(), next.toInstant()).toMillis());
        timer.schedule(() -> {
            fire(entry, next.toInstant());
            scheduleNext(entry);
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** Submits one period's job; the idempotency key makes it once per period across all nodes. */
    void fire(Entry entry, Instant at) {
        SluiceProperties.Schedule schedule = entry.schedule();
        try {
            JobSubmitter.Submitted submitted = submitter.submit(
                    JobRequest.of(schedule.type(), entry.payload(), Priority.fromWire(schedule.priority())),
                    new Idempotency("schedules", schedule.name() + ":" + at.toEpochMilli(), schedule.name()));
            if (!submitted.replayed()) {
                log.info("Schedule {} fired for {}: job {}", schedule.name(), at, submitted.jobs().get(0).id());
            }
        } catch (RuntimeException e) {
            log.warn("Schedule {} could not fire for {}: {}", schedule.name(), at, e.getMessage());
        }
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }
}
