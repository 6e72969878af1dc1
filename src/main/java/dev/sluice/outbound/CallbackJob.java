package dev.sluice.outbound;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;
import dev.sluice.jobs.Callback;
import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;
import dev.sluice.jobs.Violation;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobStore;

/**
 * Delivers a completion callback: {@code POST url} with {@code {type: "job.<state>", timestamp, data: job}},
 * signed per Standard Webhooks. Callback jobs are created by the scripts when a job with a callback
 * ends (on_final in the prelude), never submitted; as jobs they get retries, back-off, dead letters
 * and the dashboard. The webhook id is fixed when the callback job is created, so every retry of a
 * delivery carries the same {@code webhook-id} and the receiver can deduplicate.
 */
@Component
class CallbackJob implements JobHandler<CallbackJob.Payload>, Callback.Policy {

    /**
     * Made by on_final: the job (or the batch, whose event is {@code finished}), where to, for which
     * final state, and the stable webhook id.
     */
    public record Payload(String jobId, String batchId, String url, String event, String webhookId) {
    }

    private final HttpTargets targets;
    private final HttpCaller caller;
    private final JobStore store;
    private final dev.sluice.queue.QueueInspector inspector;
    private final JsonMapper json;
    private final Clock clock;
    private final SluiceProperties.Callbacks settings;
    private final byte[] key;

    CallbackJob(HttpTargets targets, HttpCaller caller, JobStore store, dev.sluice.queue.QueueInspector inspector,
            JsonMapper json, Clock clock, SluiceProperties properties) {
        this.inspector = inspector;
        this.targets = targets;
        this.caller = caller;
        this.store = store;
        this.json = json;
        this.clock = clock;
        this.settings = properties.callbacks();
        this.key = settings.secret().isEmpty() ? null : Webhooks.key(settings.secret());
    }

    @Override
    public String type() {
        return "callback";
    }

    @Override
    public Class<Payload> payloadType() {
        return Payload.class;
    }

    @Override
    public String description() {
        return "(internal) Delivers a job's completion callback, signed per Standard Webhooks.";
    }

    @Override
    public Payload example() {
        return new Payload("0190a5e2-0000-7000-8000-000000000000", null, "http://localhost:9000/hooks/sluice", "succeeded",
                "msg_0190a5e2-0000-7000-8000-000000000000-cb-succeeded-1795397645293");
    }

    @Override
    public Duration timeout() {
        return settings.timeout().plusSeconds(5);
    }

    @Override
    public int maxAttempts() {
        return settings.maxAttempts();
    }

    /** Callback jobs are made by Sluice when a job ends; a client may not submit one. */
    @Override
    public List<Violation> check(Payload payload) {
        return List.of(new Violation("type", "callback jobs are created by Sluice when a job with a callback ends"));
    }

    // --- Callback.Policy: what a submission's callback may be

    @Override
    public Optional<String> refusal(Callback callback) {
        if (key == null) {
            return Optional.of("cannot be signed: set sluice.callbacks.secret to accept callbacks");
        }
        return targets.refusal(callback.url());
    }

    @Override
    public String spec(Callback callback) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("url", callback.url());
        spec.put("events", Callback.EVENTS.stream().filter(callback.events()::contains).toList());
        spec.put("priority", settings.priority());
        spec.put("maxAttempts", settings.maxAttempts());
        spec.put("timeoutMs", timeout().toMillis());
        return json.writeValueAsString(spec);
    }

    // --- delivery

    @Override
    public Object handle(Payload payload, JobContext context) throws Exception {
        if (key == null) {
            throw new dev.sluice.jobs.PermanentJobFailure("sluice.callbacks.secret is not set: nothing can be signed");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", (payload.batchId() != null ? "batch." : "job.") + payload.event());
        body.put("timestamp", clock.instant().toString());
        body.put("data", payload.batchId() != null ? batchView(payload.batchId()) : view(payload));
        String text = json.writeValueAsString(body);
        long timestamp = clock.instant().getEpochSecond();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("User-Agent", "Sluice");
        headers.put("webhook-id", payload.webhookId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", Webhooks.signature(key, payload.webhookId(), timestamp, text));
        HttpCaller.Answer answer = caller.send(new HttpCaller.Call(URI.create(payload.url()), "POST", headers,
                text.getBytes(StandardCharsets.UTF_8), settings.timeout()));
        return Map.of("status", answer.status(), "webhookId", payload.webhookId());
    }

    /** A finished batch: its jobs per state. */
    private Map<String, Object> batchView(String batchId) {
        List<String> ids = inspector.batchMembers(batchId);
        Map<String, Integer> states = new java.util.TreeMap<>();
        int expired = 0;
        for (Job job : inspector.jobs(ids)) {
            if (job == null) {
                expired++;
            } else {
                states.merge(job.state().wire(), 1, Integer::sum);
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", batchId);
        data.put("total", ids.size());
        data.put("states", states);
        data.put("expired", expired);
        return data;
    }

    /** The job as it is now (its record may have expired: then what the callback knew). */
    private Map<String, Object> view(Payload payload) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", payload.jobId());
        data.put("state", payload.event());
        Optional<Job> found = store.find(payload.jobId());
        found.ifPresent(job -> {
            data.put("type", job.type());
            data.put("state", job.state().wire());
            data.put("priority", job.priority().wire());
            data.put("attempts", job.attempts());
            data.put("payload", job.payload() == null ? null : json.readTree(job.payload()));
            data.put("result", job.result() == null ? null : json.readTree(job.result()));
            data.put("error", job.error() == null ? null : Map.of("type", String.valueOf(job.errorType()),
                    "message", job.error()));
            data.put("createdAt", job.createdAt() == null ? null : job.createdAt().toString());
            data.put("finishedAt", job.finishedAt() == null ? null : job.finishedAt().toString());
            data.put("batch", job.batch());
        });
        return data;
    }
}
