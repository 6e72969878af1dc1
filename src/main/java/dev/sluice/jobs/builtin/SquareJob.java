package dev.sluice.jobs.builtin;

import java.math.BigDecimal;
import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.Durations;
import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;
import dev.sluice.jobs.ValidDuration;

@Component
class SquareJob implements JobHandler<SquareJob.Payload> {

    /** @param delay simulated processing time; none when absent */
    record Payload(@NotNull BigDecimal x, @ValidDuration String delay) {
    }

    @Override
    public String type() {
        return "square";
    }

    @Override
    public Class<Payload> payloadType() {
        return Payload.class;
    }

    @Override
    public String description() {
        return "Squares x after a simulated processing time (delay).";
    }

    @Override
    public Payload example() {
        return new Payload(BigDecimal.valueOf(7), "500ms");
    }

    @Override
    public Object handle(Payload payload, JobContext context) throws InterruptedException {
        Thread.sleep(Durations.parse(payload.delay()).orElse(Duration.ZERO).toMillis());
        return payload.x().multiply(payload.x());
    }
}
