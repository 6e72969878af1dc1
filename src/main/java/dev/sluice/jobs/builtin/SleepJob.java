package dev.sluice.jobs.builtin;

import java.util.Map;

import jakarta.validation.constraints.NotNull;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.Durations;
import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;
import dev.sluice.jobs.ValidDuration;

@Component
class SleepJob implements JobHandler<SleepJob.Payload> {

    record Payload(@NotNull @ValidDuration String duration) {
    }

    @Override
    public String type() {
        return "sleep";
    }

    @Override
    public Class<Payload> payloadType() {
        return Payload.class;
    }

    @Override
    public String description() {
        return "Holds a worker for the given duration; stops at once when interrupted.";
    }

    @Override
    public Payload example() {
        return new Payload("2s");
    }

    @Override
    public Object handle(Payload payload, JobContext context) throws InterruptedException {
        Thread.sleep(Durations.parse(payload.duration()).orElseThrow().toMillis());
        return Map.of("slept", payload.duration());
    }
}
