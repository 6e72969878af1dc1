package dev.sluice.api;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

import dev.sluice.queue.Priority;

/**
 * The shape of a job submission, as the API document shows it. The body itself is read field by
 * field by {@link dev.sluice.jobs.JobRequestReader}, so that every mistake is reported at once.
 */
@Schema(name = "SubmitJob", example = """
        {"type":"add","payload":{"x":2,"y":3},"priority":"high"}""")
record SubmitJobRequest(
        @Schema(description = "a registered job type, see GET /api/job-types", example = "add",
                requiredMode = Schema.RequiredMode.REQUIRED)
        String type,
        @Schema(description = "the job type's payload (a JSON object)", example = "{\"x\":2,\"y\":3}")
        JsonNode payload,
        @Schema(description = "high, normal (default) or low")
        Priority priority,
        @Schema(description = "deliveries before the job is given up, 1 to 100; default from the job type")
        Integer maxAttempts,
        @Schema(description = "longest one attempt may run, 1ms to sluice.jobs.max-timeout (default 6h), e.g. "
                + "30s; default from the job type", example = "30s")
        String timeout,
        @Schema(description = "queue the job this long from now (state scheduled until then), at most "
                + "sluice.jobs.max-delay (default 30d), e.g. 10m")
        String delay,
        @Schema(description = "queue the job at this time (ISO-8601, by the queue's clock); not together with "
                + "delay", example = "2026-11-21T18:00:00Z")
        Instant runAt,
        @Schema(description = "POST the job, signed (Standard Webhooks), to this allowed URL when it reaches one of "
                + "these final states (default: all four); needs sluice.callbacks.secret")
        CallbackRequest callback,
        @Schema(description = "the tenant, customer or resource the job belongs to (1-128 visible characters): "
                + "jobs of one priority are served round-robin across keys", example = "tenant-42",
                minLength = 1, maxLength = 128, pattern = "^\\S{1,128}$")
        String key) {

    @Schema(name = "Callback")
    record CallbackRequest(
            @Schema(description = "an absolute URL allowed by sluice.http.allowed-targets",
                    example = "https://shop.example.com/hooks/sluice", requiredMode = Schema.RequiredMode.REQUIRED)
            String url,
            @Schema(description = "succeeded, failed, dead, cancelled; default all four")
            java.util.List<String> events) {
    }
}
