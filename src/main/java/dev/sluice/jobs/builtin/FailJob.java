package dev.sluice.jobs.builtin;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;

@Component
class FailJob implements JobHandler<FailJob.Payload> {

    record Payload(String message) {
    }

    /** The error a fail job ends with. */
    static class DeliberateFailure extends RuntimeException {
        DeliberateFailure(String message) {
            super(message);
        }
    }

    @Override
    public String type() {
        return "fail";
    }

    @Override
    public Class<Payload> payloadType() {
        return Payload.class;
    }

    @Override
    public String description() {
        return "Always fails with the given message; for trying error paths.";
    }

    @Override
    public Payload example() {
        return new Payload("something went wrong");
    }

    /** A fail job fails the same way every time, so by default it gets one attempt and ends failed. */
    @Override
    public int maxAttempts() {
        return 1;
    }

    @Override
    public Object handle(Payload payload, JobContext context) {
        throw new DeliberateFailure(payload.message() == null ? "failed on purpose" : payload.message());
    }
}
