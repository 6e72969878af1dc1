package dev.sluice.jobs.builtin;

import java.math.BigDecimal;

import jakarta.validation.constraints.NotNull;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;

@Component
class AddJob implements JobHandler<AddJob.Payload> {

    record Payload(@NotNull BigDecimal x, @NotNull BigDecimal y) {
    }

    @Override
    public String type() {
        return "add";
    }

    @Override
    public Class<Payload> payloadType() {
        return Payload.class;
    }

    @Override
    public String description() {
        return "Adds x and y.";
    }

    @Override
    public Payload example() {
        return new Payload(BigDecimal.valueOf(2), BigDecimal.valueOf(3));
    }

    @Override
    public Object handle(Payload payload, JobContext context) {
        return payload.x().add(payload.y());
    }
}
