package dev.sluice.api;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.config.SluiceProperties;
import dev.sluice.jobs.Idempotency;
import dev.sluice.jobs.JobSubmitter;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobStore;
import dev.sluice.queue.JobWaits;
import dev.sluice.security.Caller;

@RestController
@RequestMapping("/api/jobs")
@Tag(name = "jobs", description = "Submit jobs and follow them to their result")
class JobController {

    private final JobSubmitter submitter;
    private final JobStore store;
    private final JobWaits waits;
    private final JsonMapper json;
    private final SluiceProperties.Api limits;

    JobController(JobSubmitter submitter, JobStore store, JobWaits waits, JsonMapper json, SluiceProperties properties) {
        this.submitter = submitter;
        this.store = store;
        this.waits = waits;
        this.json = json;
        this.limits = properties.api();
    }

    @PostMapping
    @Operation(summary = "Submit a job", description = "Validates the job and queues it; answers at once.")
    @ApiResponse(responseCode = "202", description = "queued (or scheduled); Location names the job")
    @ApiResponse(responseCode = "200", description = "replay: this Idempotency-Key was used with the same body "
            + "before; the original job, with header Idempotent-Replayed: true")
    @ApiResponse(responseCode = "400", description = "unknown type, invalid payload or priority, malformed JSON")
    @ApiResponse(responseCode = "413", description = "body larger than sluice.api.max-body-size")
    @ApiResponse(responseCode = "422", description = "the Idempotency-Key was used with a different body")
    @ApiResponse(responseCode = "429", description = "the queue is full; Retry-After; nothing was queued")
    @ApiResponse(responseCode = "503", description = "Redis unreachable; nothing was queued")
    ResponseEntity<JobView> submit(@io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
                    mediaType = "application/json", schema = @Schema(implementation = SubmitJobRequest.class)))
            @RequestBody JsonNode request,
            @Parameter(description = "makes retries of this request safe: the same key and body return the "
                    + "same job, for sluice.idempotency.retention")
            @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
            HttpServletRequest http) {
        Caller caller = Caller.of(http);
        JobSubmitter.Submitted submitted = submitter.submitJson(request, caller.name(),
                Idempotency.fromHeader(caller.idempotencyScope("jobs"), idempotencyKey, request, json));
        if (submitted.replayed()) {
            return ResponseEntity.ok().header(Idempotency.REPLAYED_HEADER, "true")
                    .location(URI.create("/api/jobs/" + submitted.replayedId()))
                    .body(read(submitted.replayedId(), Caller.of(http)));
        }
        Job job = submitted.jobs().get(0);
        return ResponseEntity.accepted().location(URI.create("/api/jobs/" + job.id())).body(JobView.of(job, json));
    }

    @PostMapping("/batch")
    @Operation(summary = "Submit many jobs in one request", description = "All are validated first, then "
            + "enqueued in one Redis round trip: all or none. For throughput; no batch is tracked (see "
            + "POST /api/batches for that). At most sluice.api.max-batch-size jobs.")
    @ApiResponse(responseCode = "202", description = "all queued; their ids, in request order")
    @ApiResponse(responseCode = "400", description = "any job invalid (fields named jobs[i]...); nothing queued")
    ResponseEntity<SubmittedJobs> submitBatch(@io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
                    mediaType = "application/json", schema = @Schema(implementation = SubmitBatchRequest.class)))
            @RequestBody JsonNode request,
            HttpServletRequest http) {
        List<Job> jobs = submitter.submitAllJson(request, Caller.of(http).name(), null, false, limits.maxBatchSize()).jobs();
        return ResponseEntity.accepted().body(new SubmittedJobs(jobs.size(), jobs.stream().map(Job::id).toList()));
    }

    /** The answer to POST /api/jobs/batch: how many jobs were queued and their ids, in request order. */
    record SubmittedJobs(int count, List<String> ids) {
    }

    @GetMapping("/{id}")
    @Operation(summary = "Read a job", description = "With ?wait=, holds the request until the job is "
            + "finished or the wait runs out (capped by sluice.api.max-wait), then answers with the current view.")
    @ApiResponse(responseCode = "200", description = "the job")
    @ApiResponse(responseCode = "404", description = "no such job, or its record expired")
    CompletableFuture<JobView> get(@PathVariable String id,
            @Parameter(description = "how long to wait for the job to finish, e.g. 5s or PT5S", example = "5s")
            @RequestParam(required = false) String wait, HttpServletRequest http) {
        Caller caller = Caller.of(http);
        Duration waitFor = Waits.parse(wait, limits.maxWait());
        if (waitFor.isZero()) {
            return CompletableFuture.completedFuture(read(id, caller));
        }
        return waits.awaitFinal(List.of(id), waitFor, now -> readable(now.get(0), id, caller))
                .thenApply(jobs -> JobView.of(readable(jobs.get(0), id, caller), json));
    }

    /** The job, if the caller may read it; another producer's job is "not found", so its existence does not leak. */
    private static Job readable(Job job, String id, Caller caller) {
        if (job == null || !caller.mayRead(job.owner())) {
            throw new JobNotFoundException(id);
        }
        return job;
    }

    /** A job the caller may read; another producer's job is "not found", so its existence does not leak. */
    private JobView read(String id, Caller caller) {
        return JobView.of(readable(store.find(id).orElse(null), id, caller), json);
    }
}
