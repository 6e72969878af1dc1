package dev.sluice.api;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.config.SluiceProperties;
import dev.sluice.jobs.JobRequestReader;
import dev.sluice.jobs.Violation;
import dev.sluice.queue.JobState;
import dev.sluice.queue.Priority;
import dev.sluice.queue.JobOperations;
import dev.sluice.queue.JobStore;
import dev.sluice.queue.JobWaits;
import dev.sluice.queue.QueueInspector;
import dev.sluice.security.Caller;

/** Cancel, retry and list: what operators do to jobs after they were submitted. */
@RestController
@RequestMapping("/api/jobs")
@Tag(name = "jobs")
class JobActionsController {

    /** How long a cancel of a running job waits for the worker to stop before answering 202. */
    private static final Duration CANCEL_WAIT = Duration.ofSeconds(5);

    private final JobStore store;
    private final JobOperations operations;
    private final QueueInspector inspector;
    private final JobWaits waits;
    private final JsonMapper json;
    private final Duration retention;

    private final MemoryBudget budget;

    JobActionsController(JobStore store, JobOperations operations, QueueInspector inspector, JobWaits waits,
            JsonMapper json, SluiceProperties properties, MemoryBudget budget) {
        this.budget = budget;
        this.store = store;
        this.operations = operations;
        this.inspector = inspector;
        this.waits = waits;
        this.json = json;
        this.retention = properties.jobs().retention();
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Cancel a job", description = "A queued or retrying job is cancelled at once and never "
            + "runs. A running job's worker is interrupted; the answer waits up to 5 s for it to stop. A producer "
            + "key may cancel the jobs it submitted; an admin key any job.")
    @ApiResponse(responseCode = "200", description = "cancelled")
    @ApiResponse(responseCode = "202", description = "running; its worker is being interrupted (cancelRequested)")
    @ApiResponse(responseCode = "404", description = "no such job")
    @ApiResponse(responseCode = "409", description = "the job has already finished")
    CompletableFuture<ResponseEntity<JobView>> cancel(@PathVariable String id, HttpServletRequest http) {
        Caller caller = Caller.of(http);
        if (!caller.isAdmin() && store.find(id).filter(job -> caller.mayRead(job.owner())).isEmpty()) {
            throw new JobNotFoundException(id); // another producer's job is "not found": its existence does not leak
        }
        JobOperations.Cancel cancel = operations.cancel(id, retention).orElseThrow(() -> new JobNotFoundException(id));
        if (cancel.state() == JobState.RUNNING) {
            // its worker is being interrupted: answer once it has stopped, or after CANCEL_WAIT
            return waits.awaitFinal(List.of(id), CANCEL_WAIT, now -> { }).thenApply(jobs -> {
                JobView view = read(id);
                return ResponseEntity.status(view.state() == JobState.RUNNING ? HttpStatus.ACCEPTED
                        : HttpStatus.OK).body(view);
            });
        }
        if (!cancel.changed()) {
            throw new JobStateConflictException("The job has already finished (" + cancel.state().wire()
                    + "); only queued, retrying or running jobs can be cancelled.", cancel.state());
        }
        return CompletableFuture.completedFuture(ResponseEntity.ok(read(id)));
    }

    @PostMapping("/{id}/retry")
    @Operation(summary = "Run a dead, failed or cancelled job again", description = "The job is queued as new: "
            + "attempts start again from 0 and it leaves the dead-letter set.")
    @ApiResponse(responseCode = "202", description = "queued again")
    @ApiResponse(responseCode = "404", description = "no such job")
    @ApiResponse(responseCode = "409", description = "the job is queued, running, retrying or succeeded")
    ResponseEntity<JobView> retry(@PathVariable String id) {
        JobOperations.Retry retry = operations.retry(id).orElseThrow(() -> new JobNotFoundException(id));
        if (!retry.requeued()) {
            throw new JobStateConflictException("Only dead, failed or cancelled jobs can be retried; this one is "
                    + retry.state().wire() + ".", retry.state());
        }
        return ResponseEntity.accepted().location(URI.create("/api/jobs/" + id)).body(read(id));
    }

    @GetMapping
    @Operation(summary = "List jobs in a state, a page at a time", description = "queued: in the order of the "
            + "lists they wait in (high first; keyless, then each key's, then remote lanes, then parked over a "
            + "cap); running: by node; scheduled and retrying: soonest due first; dead (the dead letters), "
            + "succeeded, failed and cancelled: newest first, within retention. Filters: key, type, priority, "
            + "createdAfter, createdBefore; or idempotencyKey alone (the job a POST /api/jobs with that "
            + "Idempotency-Key created, sent with the caller's key or submitter's). Queued jobs of one key come from the key's own "
            + "lists; other filters read at most " + QueueInspector.MAX_FILTER_SCAN + " jobs per listing and "
            + "say partial: true when they stopped there.")
    JobPage list(
            @Parameter(description = "scheduled, queued, running, retrying, dead, succeeded, failed or cancelled",
                    example = "dead")
            @RequestParam(required = false) String state,
            @Parameter(description = "only jobs with this fair-share key") @RequestParam(required = false) String key,
            @Parameter(description = "only jobs of this type") @RequestParam(required = false) String type,
            @Parameter(description = "only jobs of this priority: high, normal or low")
            @RequestParam(required = false) String priority,
            @Parameter(description = "only jobs created at or after this instant (ISO-8601)", example = "2026-11-23T07:00:00Z")
            @RequestParam(required = false) String createdAfter,
            @Parameter(description = "only jobs created before this instant (ISO-8601)")
            @RequestParam(required = false) String createdBefore,
            @Parameter(description = "find the job a POST /api/jobs with this Idempotency-Key created (no state then)")
            @RequestParam(required = false) String idempotencyKey,
            @Parameter(description = "with idempotencyKey: the API key name that sent it (default: the caller's)")
            @RequestParam(required = false) String submitter,
            @Parameter(description = "page by cursor instead of page number (scheduled, retrying, dead, succeeded, "
                    + "failed, cancelled): empty for the first page, then the previous page's nextCursor")
            @RequestParam(required = false) String cursor,
            @Parameter(description = "page number, from 0") @RequestParam(defaultValue = "0") @Min(0) int page,
            @Parameter(description = "jobs per page") @RequestParam(defaultValue = "20") @Min(1) @Max(200) int size,
            HttpServletRequest http) {
        List<Violation> violations = new ArrayList<>();
        if (idempotencyKey != null) {
            if (idempotencyKey.isEmpty() || idempotencyKey.length() > 255) {
                violations.add(new Violation("idempotencyKey", "must be 1 to 255 characters"));
            }
            if (submitter != null && !submitter.matches("[A-Za-z0-9._-]{1,128}")) {
                violations.add(new Violation("submitter", "must be an API key name (letters, digits, . _ -; at most 128)"));
            }
            if (!violations.isEmpty()) {
                throw new InvalidRequestException(violations);
            }
            String scope = submitter != null ? "jobs@" + submitter : Caller.of(http).idempotencyScope("jobs");
            List<JobView> items = inspector.byIdempotencyKey(scope, idempotencyKey)
                    .map(job -> List.of(JobView.of(job, json))).orElse(List.of());
            return new JobPage(items, 0, size, items.size(), false, null);
        }
        JobState wanted = state == null ? null : listable(state, violations);
        if (state == null) {
            violations.add(new Violation("state", "is required (or give idempotencyKey)"));
        }
        java.time.Instant after = instant("createdAfter", createdAfter, violations);
        java.time.Instant before = instant("createdBefore", createdBefore, violations);
        if (key != null && !JobRequestReader.isValidKey(key)) {
            violations.add(new Violation("key", JobRequestReader.KEY_RULE));
        }
        if (type != null && (type.isEmpty() || type.length() > 128)) {
            violations.add(new Violation("type", "must be 1 to 128 characters"));
        }
        Priority only = null;
        if (priority != null) {
            try {
                only = Priority.fromWire(priority);
            } catch (IllegalArgumentException e) {
                violations.add(new Violation("priority", e.getMessage()));
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations);
        }
        QueueInspector.Filter filter = new QueueInspector.Filter(key, type, only, after, before);
        if (cursor != null) {
            if (!QueueInspector.CURSORED.contains(wanted)) {
                throw new InvalidRequestException("cursor", "paging by cursor is for scheduled, retrying, dead, "
                        + "succeeded, failed and cancelled jobs");
            }
            QueueInspector.CursorPage found;
            try {
                found = inspector.listAfter(wanted, filter, cursor.isEmpty() ? null : cursor, size,
                        bytes -> budget.admitPage(http, bytes, size));
            } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
                throw new InvalidRequestException("cursor", "is not a cursor this listing gave");
            }
            return new JobPage(found.jobs().stream().map(job -> JobView.of(job, json)).toList(), 0, size, -1, false,
                    found.next());
        }
        QueueInspector.Page found = inspector.list(wanted, filter, (long) page * size, size,
                bytes -> budget.admitPage(http, bytes, size));
        return new JobPage(found.jobs().stream().map(job -> JobView.of(job, json)).toList(), page, size,
                found.total(), found.partial(), null);
    }

    /**
     * @param partial    a filter stopped reading at its bound: more jobs may match than {@code total}
     * @param total      -1 when paging by cursor (not counted)
     * @param nextCursor when paging by cursor: the next page's, null at the end
     */
    record JobPage(List<JobView> items, int page, int size, long total, boolean partial, String nextCursor) {
    }

    private static java.time.Instant instant(String field, String text, List<Violation> violations) {
        if (text == null) {
            return null;
        }
        try {
            return java.time.Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            violations.add(new Violation(field, "must be an ISO-8601 instant, e.g. 2026-11-23T07:00:00Z"));
            return null;
        }
    }

    private static JobState listable(String state, List<Violation> violations) {
        String allowed = QueueInspector.LISTABLE.stream().map(JobState::wire).sorted()
                .collect(Collectors.joining(", "));
        JobState found = Arrays.stream(JobState.values())
                .filter(s -> s.wire().equals(state) && QueueInspector.LISTABLE.contains(s))
                .findFirst().orElse(null);
        if (found == null) {
            violations.add(new Violation("state", "must be one of " + allowed));
        }
        return found;
    }

    private JobView read(String id) {
        return JobView.of(store.find(id).orElseThrow(() -> new JobNotFoundException(id)), json);
    }
}
