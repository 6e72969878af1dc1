package dev.sluice.jobs.builtin;

import java.util.Map;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;

@Component
class FlakyJob implements JobHandler<FlakyJob.Payload> {

    /** @param failures how many attempts fail before one succeeds */
    record Payload(@Min(0) @Max(100) int failures) {
    }

    static class FlakyFailure extends RuntimeException {
        FlakyFailure(String message) {
            super(message);
        }
    }

    @Override
    public String type() {
        return "flaky";
    }

    @Override
    public Class<Payload> payloadType() {
        return Payload.class;
    }

    @Override
    public String description() {
        return "Fails its first `failures` attempts, then succeeds; for trying retries.";
    }

    @Override
    public Payload example() {
        return new Payload(2);
    }

    @Override
    public Object handle(Payload payload, JobContext context) {
        if (context.attempt() <= payload.failures()) {
            throw new FlakyFailure("attempt " + context.attempt() + " of the first " + payload.failures() + " fails");
        }
        return Map.of("succeededOnAttempt", context.attempt());
    }
}
