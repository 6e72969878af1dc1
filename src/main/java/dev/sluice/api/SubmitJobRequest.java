package dev.sluice.api;

import java.time.Instant;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

import dev.sluice.jobs.Durations;
import dev.sluice.jobs.JobRequest;
import dev.sluice.jobs.ValidDuration;
import dev.sluice.queue.Priority;

@Schema(name = "SubmitJob", example = """
        {"type":"add","payload":{"x":2,"y":3},"priority":"high"}""")
record SubmitJobRequest(
        @Schema(description = "a registered job type, see GET /api/job-types", example = "add")
        @NotBlank String type,
        @Schema(description = "the job type's payload", example = "{\"x\":2,\"y\":3}")
        JsonNode payload,
        @Schema(description = "high, normal (default) or low")
        Priority priority,
        @Schema(description = "deliveries before the job is given up; default from the job type")
        @Min(1) @Max(100) Integer maxAttempts,
        @Schema(description = "longest one attempt may run, e.g. 30s; default from the job type", example = "30s")
        @ValidDuration String timeout,
        @Schema(description = "queue the job this long from now (state scheduled until then), e.g. 10m")
        @ValidDuration String delay,
        @Schema(description = "queue the job at this time (ISO-8601); not together with delay",
                example = "2026-11-21T18:00:00Z")
        Instant runAt) {

    JobRequest toJobRequest() {
        return new JobRequest(type, payload, priority, maxAttempts, Durations.parse(timeout).orElse(null),
                Durations.parse(delay).orElse(null), runAt, null);
    }
}
