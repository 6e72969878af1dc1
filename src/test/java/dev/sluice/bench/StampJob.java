package dev.sluice.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;

/** A no-op job that notes when it started (nanoTime), for the pickup-latency scenario. */
@Component
@Profile("bench")
class StampJob implements JobHandler<Map<String, Object>> {

    final Map<String, Long> started = new ConcurrentHashMap<>();

    @Override
    public String type() {
        return "stamp";
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Override
    public Class<Map<String, Object>> payloadType() {
        return (Class) Map.class;
    }

    @Override
    public String description() {
        return "Benchmark: records its start time.";
    }

    @Override
    public Map<String, Object> example() {
        return Map.of();
    }

    @Override
    public Object handle(Map<String, Object> payload, JobContext context) {
        started.put(context.jobId(), System.nanoTime());
        return null;
    }
}
