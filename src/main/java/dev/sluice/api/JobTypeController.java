package dev.sluice.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.config.SluiceProperties;
import dev.sluice.jobs.Durations;
import dev.sluice.jobs.JobTypes;
import dev.sluice.jobs.JsonFields;
import dev.sluice.jobs.RemoteTypes;
import dev.sluice.jobs.Violation;
import dev.sluice.queue.Limits;
import dev.sluice.queue.Priority;
import dev.sluice.queue.RemoteLedger;
import dev.sluice.web.Problems;

@RestController
@RequestMapping("/api/job-types")
@Tag(name = "job types", description = "What can be submitted: local types (Java handlers) and remote types (run by remote workers)")
class JobTypeController {

    private static final int MAX_DESCRIPTION = 1000;

    private final JobTypes types;
    private final RemoteTypes remote;
    private final JsonMapper json;
    private final Duration maxTimeout;
    private final List<JobTypeView> local;
    private final Limits limits;

    JobTypeController(JobTypes types, RemoteTypes remote, JsonMapper json, SluiceProperties properties, Limits limits) {
        this.limits = limits;
        this.types = types;
        this.remote = remote;
        this.json = json;
        this.maxTimeout = properties.jobs().maxTimeout();
        this.local = types.all().stream()
                .map(h -> new JobTypeView(h.type(), "local", h.description(), json.valueToTree(h.example()), null,
                        h.timeout().toString(), h.maxAttempts(), "normal", null))
                .toList();
    }

    @GetMapping
    @Operation(summary = "The job types: local ones (with an example payload) and remote ones (with their payload schema)")
    List<JobTypeView> jobTypes() {
        List<JobTypeView> all = new ArrayList<>(local);
        remote.all().forEach(type -> all.add(view(type)));
        return all;
    }

    /**
     * @param runs            local (a Java handler in every node) or remote (claimed by remote workers)
     * @param payloadSchema   a remote type's JSON Schema (draft 2020-12)
     * @param defaultPriority the priority its jobs get when they name none
     * @param version         a remote type's definition version (1 when new)
     */
    record JobTypeView(String type, String runs, String description, JsonNode examplePayload, JsonNode payloadSchema,
            String defaultTimeout, int defaultMaxAttempts, String defaultPriority, Long version) {
    }

    private JobTypeView view(RemoteTypes.RemoteType type) {
        return new JobTypeView(type.name(), "remote", type.description(), null, json.readTree(type.schema()),
                type.timeout().toString(), type.maxAttempts(), type.priority().wire(), type.version());
    }

    @GetMapping("/{type}")
    @Operation(summary = "One remote job type's definition")
    @ApiResponse(responseCode = "200", description = "the definition")
    @ApiResponse(responseCode = "404", description = "no such remote type")
    JobTypeView remoteType(@PathVariable String type) {
        return remote.find(type).map(this::view).orElseThrow(() -> notFound(type));
    }

    @PutMapping("/{type}")
    @Operation(summary = "Register or replace a remote job type (admin)", description = "`{description, "
            + "payloadSchema, timeout, maxAttempts, priority}`. Submissions of the type are validated against "
            + "`payloadSchema` (JSON Schema draft 2020-12; references only inside it) and wait for remote "
            + "workers that claim the type. The definition lives in Redis: every node knows it within a second.")
    @ApiResponse(responseCode = "200", description = "registered or replaced")
    @ApiResponse(responseCode = "400", description = "a field, or the schema, is not valid")
    @ApiResponse(responseCode = "409", description = "a local type has this name")
    JobTypeView put(@PathVariable String type, @RequestBody JsonNode body) {
        List<Violation> violations = new ArrayList<>();
        JsonFields fields = JsonFields.object(body, Set.of("description", "payloadSchema", "timeout", "maxAttempts",
                "priority"), violations);
        String description = null;
        JsonNode schema = null;
        Duration timeout = null;
        Integer maxAttempts = null;
        Priority priority = null;
        if (fields != null) {
            description = fields.text("description", false, MAX_DESCRIPTION);
            schema = fields.node("payloadSchema");
            timeout = fields.duration("timeout", Duration.ofMillis(1), maxTimeout, "sluice.jobs.max-timeout");
            maxAttempts = fields.integer("maxAttempts", 1, 100);
            String name = fields.text("priority", false, 10);
            if (name != null) {
                try {
                    priority = Priority.fromWire(name);
                } catch (IllegalArgumentException e) {
                    violations.add(new Violation("priority", "must be high, normal or low"));
                }
            }
            if (schema == null) {
                violations.add(new Violation("payloadSchema", "is required (true accepts any payload)"));
            } else {
                violations.addAll(remote.check(type, schema, timeout, maxAttempts));
            }
        } else {
            violations.addAll(remote.check(type, json.getNodeFactory().booleanNode(true), null, null).stream()
                    .filter(v -> v.field().equals("type")).toList());
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        if (types.all().stream().anyMatch(handler -> handler.type().equals(type))) {
            throw new ProblemException(Problems.JOB_TYPE_CONFLICT, "'" + type + "' is a local job type (a Java "
                    + "handler): a remote type may not take its name.");
        }
        return view(remote.put(type, description, schema, timeout, maxAttempts, priority));
    }

    @GetMapping("/{type}/limits")
    @Operation(summary = "A job type's caps and rates, and their use now (admin)")
    @ApiResponse(responseCode = "200", description = "the caps (null: none), running and parked jobs")
    @ApiResponse(responseCode = "404", description = "no such job type")
    Map<String, Object> limits(@PathVariable String type) {
        requireType(type);
        Limits.Caps caps = limits.get(type);
        Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("type", type);
        view.put("concurrency", caps.concurrency());
        view.put("perKeyConcurrency", caps.perKeyConcurrency());
        view.put("rate", caps.rate() == null ? null : Map.of("limit", caps.rate().limit(),
                "period", Durations.format(caps.rate().period())));
        view.put("perKeyRate", caps.perKeyRate() == null ? null : Map.of("limit", caps.perKeyRate().limit(),
                "period", Durations.format(caps.perKeyRate().period())));
        limits.use().stream().filter(use -> use.type().equals(type)).findFirst().ifPresent(use -> {
            view.put("running", use.running());
            view.put("parked", use.parked());
        });
        return view;
    }

    @PutMapping("/{type}/limits")
    @Operation(summary = "Set a job type's caps and rates (admin)", description = "`{concurrency, perKeyConcurrency, "
            + "rate: {limit, period}, perKeyRate: {limit, period}}` (caps 1-100,000; limit 1-1,000,000 per period "
            + "1ms-1d; absent or null: none). At most that many jobs of the type run at once over every node and "
            + "remote worker (perKeyConcurrency: per key), and at most limit start per period; a job over a cap or "
            + "rate waits without a worker or an attempt. Every node obeys the change from its next claim.")
    @ApiResponse(responseCode = "200", description = "set")
    @ApiResponse(responseCode = "400", description = "a value out of bounds or an unknown field")
    @ApiResponse(responseCode = "404", description = "no such job type")
    Map<String, Object> putLimits(@PathVariable String type, @RequestBody JsonNode body) {
        requireType(type);
        List<Violation> violations = new ArrayList<>();
        JsonFields fields = JsonFields.object(body, Set.of("concurrency", "perKeyConcurrency", "rate", "perKeyRate"),
                violations);
        Integer concurrency = fields == null ? null : fields.integer("concurrency", 1, 100_000);
        Integer perKey = fields == null ? null : fields.integer("perKeyConcurrency", 1, 100_000);
        Limits.Rate rate = fields == null ? null : rate(fields.node("rate"), "rate", violations);
        Limits.Rate perKeyRate = fields == null ? null : rate(fields.node("perKeyRate"), "perKeyRate", violations);
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        limits.put(type, new Limits.Caps(concurrency, perKey, rate, perKeyRate));
        return limits(type);
    }

    /** {@code {limit: 1-1,000,000, period: 1ms-1d}}, or null when absent. */
    private static Limits.Rate rate(JsonNode node, String field, List<Violation> violations) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            violations.add(new Violation(field, "must be {limit, period}"));
            return null;
        }
        for (String name : node.propertyNames()) {
            if (!name.equals("limit") && !name.equals("period")) {
                violations.add(new Violation(field + "." + name, "is not a known field"));
            }
        }
        JsonFields fields = new JsonFields(node, field + ".", violations);
        Integer limit = fields.integer("limit", 1, 1_000_000);
        Duration period = fields.duration("period", Duration.ofMillis(1), Duration.ofDays(1), "");
        if (limit == null || period == null) {
            if (limit == null && node.get("limit") == null) {
                violations.add(new Violation(field + ".limit", "is required"));
            }
            if (period == null && node.get("period") == null) {
                violations.add(new Violation(field + ".period", "is required"));
            }
            return null;
        }
        return new Limits.Rate(limit, period);
    }

    private void requireType(String type) {
        boolean local = types.all().stream().anyMatch(handler -> handler.type().equals(type));
        if (!local && remote.find(type).isEmpty()) {
            throw new ProblemException(Problems.NOT_FOUND, "No job type '" + (RemoteTypes.NAME.matcher(type).matches()
                    ? type : "?") + "' is registered.");
        }
    }

    @DeleteMapping("/{type}")
    @Operation(summary = "Remove a remote job type (admin)", description = "Refused (409) while jobs of the type "
            + "wait, are scheduled or retrying, or run.")
    @ApiResponse(responseCode = "204", description = "removed")
    @ApiResponse(responseCode = "404", description = "no such remote type")
    @ApiResponse(responseCode = "409", description = "jobs of the type wait or run")
    ResponseEntity<Void> delete(@PathVariable String type) {
        if (!RemoteTypes.NAME.matcher(type).matches()) {
            throw notFound(type);
        }
        RemoteLedger.Removal removal = remote.delete(type);
        if (removal.missing()) {
            throw notFound(type);
        }
        if (!removal.removed()) {
            throw new ProblemException(Problems.JOB_TYPE_CONFLICT, "Job type '" + type + "' still has " + removal.count()
                    + " " + removal.busyWith() + " job(s); it can be removed when none waits or runs.",
                    Map.of("busyWith", removal.busyWith(), "count", removal.count()));
        }
        return ResponseEntity.noContent().build();
    }

    private static ProblemException notFound(String type) {
        return new ProblemException(Problems.JOB_TYPE_NOT_FOUND, "No remote job type '"
                + (RemoteTypes.NAME.matcher(type).matches() ? type : "?") + "' is registered.");
    }
}
