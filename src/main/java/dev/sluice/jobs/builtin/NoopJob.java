package dev.sluice.jobs.builtin;

import java.util.Map;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;

@Component
class NoopJob implements JobHandler<Map<String, Object>> {

    @Override
    public String type() {
        return "noop";
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Override
    public Class<Map<String, Object>> payloadType() {
        return (Class) Map.class;
    }

    @Override
    public String description() {
        return "Does nothing and returns null; measures the queue itself (benchmarks, smoke tests).";
    }

    @Override
    public Map<String, Object> example() {
        return Map.of();
    }

    @Override
    public Object handle(Map<String, Object> payload, JobContext context) {
        return null;
    }
}
