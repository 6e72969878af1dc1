package dev.sluice.api;

import java.time.Instant;
import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.queue.Priority;

/** A job as clients see it. */
@Schema(name = "Job", example = """
        {"id":"0b6f5f1e-2c1d-4c38-9a55-3f0d2b8f7a10","type":"add","priority":"normal","state":"succeeded",
         "payload":{"x":2,"y":3},"result":5,"error":null,"attempts":1,"maxAttempts":3,"timeout":"PT5M",
         "createdAt":"2026-11-21T10:00:00.000Z","startedAt":"2026-11-21T10:00:00.001Z",
         "finishedAt":"2026-11-21T10:00:00.002Z","node":"host-4242-k3x9","cancelRequested":false}""")
record JobView(
        String id,
        String type,
        Priority priority,
        JobState state,
        JsonNode payload,
        JsonNode result,
        ErrorView error,
        int attempts,
        int maxAttempts,
        String timeout,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        @Schema(description = "when a scheduled job is due")
        Instant runAt,
        String node,
        @Schema(description = "true while a running job's worker is being interrupted on request")
        boolean cancelRequested,
        @Schema(description = "the batch it belongs to, if any")
        String batch,
        @Schema(description = "what a running job last reported: {percent, message}")
        Progress progress,
        @Schema(description = "the tenant, customer or resource it belongs to: jobs of one priority are served "
                + "round-robin across keys")
        String key,
        @Schema(description = "its attempts, oldest first: each that did not succeed (the last "
                + "sluice.jobs.attempt-history), then the one running or succeeded")
        List<Attempt> attemptHistory) {

    record Progress(int percent, String message) {
    }

    /**
     * One attempt: where it ran (a node, or remote:&lt;worker&gt;), when, and how it ended: running,
     * succeeded, failed, permanent, timeout, cancelled, lost (its node stopped), throttled, deferred.
     */
    record Attempt(int attempt, String node, Instant startedAt, Instant endedAt, String outcome, String error) {
    }

    /** @param type the kind of failure, e.g. the handler's exception name */
    record ErrorView(String type, String message) {
    }

    static JobView of(Job job, JsonMapper json) {
        return new JobView(job.id(), job.type(), job.priority(), job.state(), tree(json, job.payload()),
                tree(json, job.result()), job.error() == null ? null : new ErrorView(job.errorType(), job.error()),
                job.attempts(), job.maxAttempts(), job.timeout().toString(), job.createdAt(), job.startedAt(),
                job.finishedAt(), job.runAt(), job.node(), job.cancelRequested(), job.batch(),
                job.progress() == null ? null : new Progress(job.progress(), job.progressMessage()), job.key(),
                attempts(job, json));
    }

    private static List<Attempt> attempts(Job job, JsonMapper json) {
        List<Attempt> attempts = new java.util.ArrayList<>();
        if (job.attemptLog() != null) {
            for (JsonNode entry : json.readTree(job.attemptLog())) {
                attempts.add(new Attempt(entry.path("attempt").asInt(), text(entry, "node"), instant(entry, "startedAt"),
                        instant(entry, "endedAt"), text(entry, "outcome"), text(entry, "error")));
            }
        }
        boolean lastLogged = !attempts.isEmpty() && attempts.get(attempts.size() - 1).attempt() == job.attempts();
        if (job.startedAt() != null && job.attempts() > 0 && !lastLogged
                && (job.state() == JobState.RUNNING || job.state() == JobState.SUCCEEDED)) {
            attempts.add(new Attempt(job.attempts(), job.node(), job.startedAt(),
                    job.state() == JobState.SUCCEEDED ? job.finishedAt() : null, job.state().wire(), null));
        }
        return attempts;
    }

    private static String text(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        return value == null || value.isNull() ? null : value.asString();
    }

    private static Instant instant(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        return value == null || value.isNull() ? null : Instant.ofEpochMilli(value.asLong());
    }

    private static JsonNode tree(JsonMapper json, String text) {
        return text == null || text.isEmpty() ? null : json.readTree(text);
    }
}
