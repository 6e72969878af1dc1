package dev.sluice.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.config.SluiceProperties;
import dev.sluice.jobs.JsonFields;
import dev.sluice.jobs.RemoteTypes;
import dev.sluice.jobs.RemoteWork;
import dev.sluice.jobs.Violation;
import dev.sluice.queue.RemoteLease;
import dev.sluice.queue.RemoteLedger;
import dev.sluice.security.Caller;
import dev.sluice.web.Problems;

/**
 * The remote-worker protocol: any process that speaks HTTP claims jobs of remote types for its free
 * slots, renews their leases while it works, and reports how they ended, under the same token gate,
 * leases and fencing as the node's own worker threads (docs/architecture.md, "Remote workers").
 */
@RestController
@Tag(name = "workers", description = "Remote workers: claim, renew, finish (a worker or admin key)")
class WorkerController {

    static final int MAX_SLOTS = 1024;
    private static final int MAX_MESSAGE = 1000;
    private static final int MAX_ERROR = 4000;

    private final RemoteWork work;
    private final JsonMapper json;
    private final Duration maxWait;
    private final Duration maxRetryAfter;

    WorkerController(RemoteWork work, JsonMapper json, SluiceProperties properties) {
        this.work = work;
        this.json = json;
        this.maxWait = properties.api().maxWait();
        this.maxRetryAfter = properties.jobs().maxDelay();
    }

    @PostMapping("/api/workers/{workerId}/claim")
    @Operation(summary = "Claim jobs of remote types for free slots", description = "Registers the worker on its "
            + "first claim with `slots` tokens (default: the first `max`), then hands out at most as many jobs as it "
            + "has free tokens, highest priority first across its types, each with a lease. With `wait`, waits up "
            + "to that long for work (woken by enqueues). 204 when nothing came; a worker set quiet or stop "
            + "gets 204 at once and its state in the Sluice-Worker-State header.")
    @ApiResponse(responseCode = "200", description = "the claimed jobs")
    @ApiResponse(responseCode = "204", description = "nothing to do within wait")
    @ApiResponse(responseCode = "403", description = "a type this key may not claim")
    @ApiResponse(responseCode = "409", description = "the worker id is another key's, or its slots cannot change now")
    CompletableFuture<ResponseEntity<List<ClaimedView>>> claim(@PathVariable String workerId,
            @RequestBody JsonNode body, HttpServletRequest http) {
        List<Violation> violations = new ArrayList<>();
        workerId(workerId, violations);
        JsonFields fields = JsonFields.object(body, Set.of("types", "max", "slots", "wait"), violations);
        List<String> types = null;
        Integer max = null;
        Integer slots = null;
        Duration wait = null;
        if (fields != null) {
            types = fields.names("types", true, 100, RemoteTypes.NAME, "a job type's name");
            max = fields.integer("max", 1, MAX_SLOTS);
            slots = fields.integer("slots", 1, MAX_SLOTS);
            wait = fields.duration("wait", Duration.ZERO, maxWait, "sluice.api.max-wait");
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        Caller caller = Caller.of(http);
        List<String> refused = types.stream().filter(type -> !caller.mayWork(type)).toList();
        if (!refused.isEmpty()) {
            throw new ProblemException(Problems.FORBIDDEN, "This key may not claim " + String.join(", ", refused)
                    + " (sluice.security.api-keys[].types).", Map.of("types", refused));
        }
        List<String> typesToClaim = types;
        int want = max == null ? 1 : max;
        Integer capacity = slots;
        Duration waitFor = wait == null ? Duration.ZERO : wait;
        return guarded(() -> work.claim(workerId, caller.name(), typesToClaim, want, capacity, waitFor))
                .thenApply(claimed -> {
                    if (claimed.jobs().isEmpty()) {
                        return ResponseEntity.noContent().header("Sluice-Worker-State", claimed.state()).build();
                    }
                    return ResponseEntity.ok().header("Sluice-Worker-State", claimed.state())
                            .body(claimed.jobs().stream().map(this::view).toList());
                });
    }

    /**
     * A claimed job as the worker gets it.
     *
     * @param leaseToken     to show when renewing or finishing it
     * @param leaseExpiresAt when the job goes back to its queue unless the lease is renewed
     * @param timeout        how long the attempt may run (ISO-8601)
     */
    /** @param traceparent the submitting request's trace (W3C), when it was sampled: a worker's attempt span joins it */
    record ClaimedView(String id, String type, JsonNode payload, int attempt, String leaseToken, String leaseExpiresAt,
            String timeout, String priority, String traceparent) {
    }

    private ClaimedView view(RemoteLedger.RemoteClaim claim) {
        return new ClaimedView(claim.job().id(), claim.job().type(), json.readTree(claim.job().payload()),
                claim.job().attempt(), claim.lease().token(), claim.leaseExpiresAt().toString(),
                claim.job().timeout().toString(), claim.job().priority().wire(), claim.job().traceparent());
    }

    @PostMapping("/api/workers/{workerId}/beat")
    @Operation(summary = "Keep an idle worker registered", description = "Answers its state: run (claim), quiet "
            + "(finish what you hold, claim nothing) or stop (finish or hand back what you hold, then exit).")
    @ApiResponse(responseCode = "200", description = "the worker's state")
    @ApiResponse(responseCode = "404", description = "not registered (claim registers it)")
    Map<String, String> beat(@PathVariable String workerId, HttpServletRequest http) {
        List<Violation> violations = new ArrayList<>();
        workerId(workerId, violations);
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        return Map.of("state", guarded(() -> work.beat(workerId, Caller.of(http).name())));
    }

    @PutMapping("/api/workers/{workerId}/state")
    @Operation(summary = "Set a worker's state (admin)", description = "run, quiet or stop: what its next claim "
            + "or beat is told. For a rolling deploy: quiet, wait until it holds nothing, stop.")
    @ApiResponse(responseCode = "200", description = "set")
    @ApiResponse(responseCode = "404", description = "no such worker")
    Map<String, String> setState(@PathVariable String workerId, @RequestBody JsonNode body) {
        List<Violation> violations = new ArrayList<>();
        workerId(workerId, violations);
        JsonFields fields = JsonFields.object(body, Set.of("state"), violations);
        String state = fields == null ? null : fields.text("state", true, 10);
        if (state != null && !Set.of("run", "quiet", "stop").contains(state)) {
            violations.add(new Violation("state", "must be run, quiet or stop"));
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        if (!work.setState(workerId, state)) {
            throw new ProblemException(Problems.WORKER_NOT_FOUND, "No remote worker '" + workerId + "' is registered.");
        }
        return Map.of("workerId", workerId, "state", state);
    }

    @PostMapping("/api/jobs/{id}/heartbeat")
    @Operation(summary = "Renew a remote job's lease", description = "Optionally with progress (0-100) and a "
            + "message. 409 when the lease no longer holds the job (it was recovered); 410 when its cancel was "
            + "requested: the job is cancelled, stop working on it.")
    @ApiResponse(responseCode = "200", description = "renewed: the new leaseExpiresAt")
    @ApiResponse(responseCode = "409", description = "lease lost")
    @ApiResponse(responseCode = "410", description = "cancelled")
    Map<String, String> heartbeat(@PathVariable String id, @RequestBody JsonNode body, HttpServletRequest http) {
        LeaseBody read = LeaseBody.read(body, "leaseToken", "progress", "message");
        List<Violation> violations = read.violations();
        JsonFields fields = read.fields();
        RemoteLease lease = read.lease();
        Integer progress = fields == null ? null : fields.integer("progress", 0, 100);
        String message = fields == null ? null : fields.text("message", false, MAX_MESSAGE);
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        RemoteLedger.Renewal renewal = work.renew(id, lease, progress, message, Caller.of(http).name());
        return switch (renewal.status()) {
            case OK -> Map.of("id", id, "leaseExpiresAt", renewal.leaseExpiresAt().toString());
            case CANCELLED -> throw new ProblemException(Problems.JOB_CANCELLED, "Job " + id
                    + " was cancelled; its slot is free again. Stop working on it.", Map.of("state", "cancelled"));
            case STALE -> throw leaseLost(id, renewal.state());
            case FORBIDDEN -> throw workerOwned(lease.workerId());
            case GONE -> throw new JobNotFoundException(id);
        };
    }

    @PostMapping("/api/jobs/{id}/complete")
    @Operation(summary = "Report a remote job's success", description = "With its result (any JSON). Idempotent for "
            + "the same lease; a stale lease is 409 and changes nothing.")
    @ApiResponse(responseCode = "200", description = "recorded (or recorded before, by this lease)")
    @ApiResponse(responseCode = "409", description = "lease lost")
    Map<String, Object> complete(@PathVariable String id, @RequestBody JsonNode body, HttpServletRequest http) {
        LeaseBody read = LeaseBody.read(body, "leaseToken", "result");
        List<Violation> violations = read.violations();
        JsonFields fields = read.fields();
        RemoteLease lease = read.lease();
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        JsonNode result = fields.node("result");
        return finish(id, new RemoteWork.Report(id, lease, RemoteWork.End.SUCCEEDED,
                result == null ? "null" : json.writeValueAsString(result), null, null, null), http);
    }

    @PostMapping("/api/jobs/complete")
    @Operation(summary = "Report many remote jobs' successes at once", description = "`{results: [{id, leaseToken, "
            + "result}]}` (1 to 1024, all of one worker): one Redis call for all of them. Each answers as its own "
            + "complete would: `ok`, `replayed`, `stale` (lease lost: nothing changed) or `gone`.")
    @ApiResponse(responseCode = "200", description = "each result's outcome, in order")
    Map<String, Object> completeMany(@RequestBody JsonNode body, HttpServletRequest http) {
        List<Violation> violations = new ArrayList<>();
        JsonFields fields = JsonFields.object(body, Set.of("results"), violations);
        JsonNode results = fields == null ? null : fields.node("results");
        List<RemoteWork.Report> reports = new ArrayList<>();
        if (fields != null && (results == null || !results.isArray() || results.isEmpty() || results.size() > MAX_SLOTS)) {
            violations.add(new Violation("results", "must be a list of 1 to " + MAX_SLOTS + " {id, leaseToken, result}"));
        } else if (results != null) {
            for (int i = 0; i < results.size(); i++) {
                JsonNode item = results.get(i);
                String path = "results[" + i + "].";
                if (!item.isObject()) {
                    violations.add(new Violation("results[" + i + "]", "must be an object {id, leaseToken, result}"));
                    continue;
                }
                item.propertyNames().forEach(name -> {
                    if (!Set.of("id", "leaseToken", "result").contains(name)) {
                        violations.add(new Violation(path + name, "is not a known field"));
                    }
                });
                JsonFields one = new JsonFields(item, path, violations);
                String id = one.text("id", true, 64);
                String token = one.text("leaseToken", true, 200);
                RemoteLease lease = token == null ? null : RemoteLease.parse(token);
                if (token != null && lease == null) {
                    violations.add(new Violation(path + "leaseToken", "is not a lease token as a claim gave it"));
                }
                if (lease != null && !reports.isEmpty() && !reports.get(0).lease().workerId().equals(lease.workerId())) {
                    violations.add(new Violation(path + "leaseToken", "belongs to another worker than results[0]'s"));
                }
                if (id != null && lease != null) {
                    JsonNode result = one.node("result");
                    reports.add(new RemoteWork.Report(id, lease, RemoteWork.End.SUCCEEDED,
                            result == null ? "null" : json.writeValueAsString(result), null, null, null));
                }
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        List<RemoteLedger.Finished> finished = work.finish(reports.get(0).lease().workerId(), Caller.of(http).name(),
                reports);
        if (finished == null) {
            throw workerOwned(reports.get(0).lease().workerId());
        }
        return Map.of("results", finished.stream().map(one -> {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("id", one.jobId());
            answer.put("outcome", one.status() == RemoteLedger.FinishStatus.REPLAY ? "replayed"
                    : one.status().name().toLowerCase());
            answer.put("state", one.state());
            return answer;
        }).toList());
    }

    @PostMapping("/api/jobs/{id}/fail")
    @Operation(summary = "Report a remote job's failure", description = "`error: {type, message}`; `retryable` "
            + "(default true) retries with back-off (or after `retryAfter`) while attempts remain, false fails it "
            + "for good. Idempotent for the same lease; a stale lease is 409 and changes nothing.")
    @ApiResponse(responseCode = "200", description = "recorded (or recorded before, by this lease)")
    @ApiResponse(responseCode = "409", description = "lease lost")
    Map<String, Object> fail(@PathVariable String id, @RequestBody JsonNode body, HttpServletRequest http) {
        LeaseBody read = LeaseBody.read(body, "leaseToken", "error", "retryable", "retryAfter");
        List<Violation> violations = read.violations();
        JsonFields fields = read.fields();
        RemoteLease lease = read.lease();
        String type = null;
        String message = null;
        Boolean retryable = null;
        Duration retryAfter = null;
        if (fields != null) {
            JsonNode error = fields.node("error");
            if (error == null || !error.isObject()) {
                violations.add(new Violation("error", "must be an object {type, message}"));
            } else {
                JsonFields errorFields = new JsonFields(error, "error.", violations);
                type = errorFields.text("type", false, 200);
                message = errorFields.text("message", true, MAX_ERROR);
                for (String name : error.propertyNames()) {
                    if (!Set.of("type", "message").contains(name)) {
                        violations.add(new Violation("error." + name, "is not a known field"));
                    }
                }
            }
            retryable = fields.bool("retryable");
            retryAfter = fields.duration("retryAfter", Duration.ZERO, maxRetryAfter, "sluice.jobs.max-delay");
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        return finish(id, new RemoteWork.Report(id, lease, retryable == null || retryable ? RemoteWork.End.FAILED
                : RemoteWork.End.PERMANENT, null, type == null ? "RemoteError" : type, message, retryAfter), http);
    }

    @PostMapping("/api/jobs/{id}/release")
    @Operation(summary = "Hand a remote job back unfinished", description = "For a worker that stops: the job goes "
            + "back to the head of its queue with its attempt given back, at once, instead of when its lease runs out.")
    @ApiResponse(responseCode = "200", description = "handed back (state queued), or cancelled if its cancel was requested")
    @ApiResponse(responseCode = "409", description = "lease lost")
    Map<String, Object> release(@PathVariable String id, @RequestBody JsonNode body, HttpServletRequest http) {
        LeaseBody read = LeaseBody.read(body, "leaseToken");
        List<Violation> violations = read.violations();
        JsonFields fields = read.fields();
        RemoteLease lease = read.lease();
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        return finish(id, new RemoteWork.Report(id, lease, RemoteWork.End.RELEASED, null, null, null, null), http);
    }

    private Map<String, Object> finish(String id, RemoteWork.Report report, HttpServletRequest http) {
        List<RemoteLedger.Finished> finished = work.finish(report.lease().workerId(), Caller.of(http).name(),
                List.of(report));
        if (finished == null) {
            throw workerOwned(report.lease().workerId());
        }
        RemoteLedger.Finished one = finished.get(0);
        return switch (one.status()) {
            case OK, REPLAY -> {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("id", id);
                answer.put("state", one.state());
                answer.put("replayed", one.status() == RemoteLedger.FinishStatus.REPLAY);
                yield answer;
            }
            case STALE -> throw leaseLost(id, one.state());
            case GONE -> throw new JobNotFoundException(id);
        };
    }

    private static ProblemException leaseLost(String id, String state) {
        return new ProblemException(Problems.LEASE_LOST, "This lease no longer holds job " + id + " (it is " + state
                + "): it was recovered after the lease ran out, and may run elsewhere. Nothing was changed.",
                Map.of("state", state == null ? "unknown" : state));
    }

    private static ProblemException workerOwned(String workerId) {
        return new ProblemException(Problems.WORKER_CONFLICT, "Worker '" + workerId
                + "' is registered by another API key.");
    }

    /** A report's body: its fields (null when it is not an object), the lease token it shows, what is wrong. */
    private record LeaseBody(JsonFields fields, RemoteLease lease, List<Violation> violations) {
        static LeaseBody read(JsonNode body, String... known) {
            List<Violation> violations = new ArrayList<>();
            JsonFields fields = JsonFields.object(body, Set.of(known), violations);
            return new LeaseBody(fields, fields == null ? null : WorkerController.lease(fields, violations), violations);
        }
    }

    private static RemoteLease lease(JsonFields fields, List<Violation> violations) {
        String token = fields.text("leaseToken", true, 200);
        if (token == null) {
            return null;
        }
        RemoteLease lease = RemoteLease.parse(token);
        if (lease == null) {
            violations.add(new Violation("leaseToken", "is not a lease token as a claim gave it"));
        }
        return lease;
    }

    private static void workerId(String workerId, List<Violation> violations) {
        if (!RemoteLease.WORKER_ID.matcher(workerId).matches()) {
            violations.add(new Violation("workerId", "must be 1 to 64 of A-Z, a-z, 0-9, '.', '-' and '_'"));
        }
    }

    /** The worker refusals as problems. */
    private static <T> T guarded(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RemoteWork.WorkerRefused e) {
            throw new ProblemException(switch (e.reason()) {
                case OWNED, BUSY -> Problems.WORKER_CONFLICT;
                case UNKNOWN -> Problems.WORKER_NOT_FOUND;
            }, e.getMessage() + ".");
        }
    }
}
