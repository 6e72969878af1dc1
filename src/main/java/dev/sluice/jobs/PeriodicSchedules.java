package dev.sluice.jobs;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.Trigger;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.scheduling.support.CronTrigger;
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
    private final TaskScheduler scheduler;
    private final List<Entry> entries = new ArrayList<>();
    private final List<ScheduledFuture<?>> firing = new ArrayList<>();
    private volatile boolean running;

    private record Entry(SluiceProperties.Schedule schedule, CronExpression cron, JsonNode payload) {
    }

    PeriodicSchedules(JobSubmitter submitter, JobTypes types, JsonMapper json, SluiceProperties properties,
            TaskScheduler scheduler) {
        this.submitter = submitter;
        this.scheduler = scheduler;
        for (SluiceProperties.Schedule schedule : properties.schedules()) {
            JsonNode payload = json.readTree(schedule.payload());
            types.validate(schedule.type(), payload);
            entries.add(new Entry(schedule, CronExpression.parse(schedule.cron()), payload));
        }
    }

    /**
     * Each schedule runs on the node's scheduler with Spring's cron trigger. The trigger is asked for
     * the next fire time just before each run is scheduled, so the time it last gave is the time of the
     * run under way: that scheduled time, not the moment the run happens to start, names the period.
     */
    @Override
    public synchronized void start() {
        for (Entry entry : entries) {
            CronTrigger cron = new CronTrigger(entry.schedule().cron(), ZoneId.systemDefault());
            AtomicReference<Instant> due = new AtomicReference<>();
            Trigger remembering = context -> {
                Instant next = cron.nextExecution(context);
                due.set(next);
                return next;
            };
            firing.add(scheduler.schedule(() -> fire(entry, due.get()), remembering));
        }
        running = true;
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
    public synchronized void stop() {
        firing.forEach(future -> future.cancel(true));
        firing.clear();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
