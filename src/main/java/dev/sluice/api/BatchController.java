package dev.sluice.api;

import java.net.URI;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.config.SluiceProperties;
import dev.sluice.jobs.Idempotency;
import dev.sluice.jobs.JobSubmitter;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobStore;
import dev.sluice.queue.JobWaits;
import dev.sluice.queue.QueueInspector;
import dev.sluice.security.Caller;

/** A group of jobs submitted together, and its progress: like JoinableQueue.join(). */
@RestController
@RequestMapping("/api/batches")
@Tag(name = "batches", description = "Submit a group of jobs and wait for all of them")
class BatchController {

    private final JobSubmitter submitter;
    private final JobStore store;
    private final QueueInspector inspector;
    private final JobWaits waits;
    private final JsonMapper json;
    private final SluiceProperties.Api limits;

    BatchController(JobSubmitter submitter, JobStore store, QueueInspector inspector, JobWaits waits, JsonMapper json,
            SluiceProperties properties) {
        this.submitter = submitter;
        this.store = store;
        this.inspector = inspector;
        this.waits = waits;
        this.json = json;
        this.limits = properties.api();
    }

    @PostMapping
    @Operation(summary = "Submit a batch", description = "All jobs are validated, then enqueued in one atomic "
            + "step: the whole batch or nothing.")
    @ApiResponse(responseCode = "202", description = "queued; Location names the batch")
    @ApiResponse(responseCode = "200", description = "replay of the same Idempotency-Key and body: the original batch")
    @ApiResponse(responseCode = "400", description = "any job invalid (fields named jobs[i]...); nothing queued")
    @ApiResponse(responseCode = "429", description = "the batch does not fit in the queue; nothing queued")
    ResponseEntity<BatchView> submit(@io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
                    mediaType = "application/json", schema = @Schema(implementation = SubmitBatchRequest.class)))
            @RequestBody JsonNode request,
            @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
            HttpServletRequest http) {
        Caller caller = Caller.of(http);
        JobSubmitter.Submitted submitted = submitter.submitAllJson(request, caller.name(),
                Idempotency.fromHeader(caller.idempotencyScope("batches"), idempotencyKey, request, json), true,
                limits.maxBatchSize());
        if (submitted.replayed()) {
            return ResponseEntity.ok().header(Idempotency.REPLAYED_HEADER, "true")
                    .location(URI.create("/api/batches/" + submitted.replayedId()))
                    .body(replayed(submitted.replayedId()));
        }
        return ResponseEntity.accepted().location(URI.create("/api/batches/" + submitted.batchId()))
                .body(view(submitted.batchId(), submitted.jobs()));
    }

    @GetMapping("/{id}")
    @Operation(summary = "A batch's progress", description = "Counts per state; finished is true when every job "
            + "has reached a final state. With ?wait=, holds until then or until the wait runs out.")
    @ApiResponse(responseCode = "200", description = "the batch's counts",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = BatchView.class)))
    @ApiResponse(responseCode = "404", description = "no such batch (or its record expired)")
    CompletableFuture<BatchView> get(@PathVariable String id,
            @Parameter(description = "how long to wait for every job to finish, e.g. 30s", example = "30s")
            @RequestParam(required = false) String wait, HttpServletRequest http) {
        List<String> ids = members(id);
        if (!Caller.of(http).mayRead(inspector.batchOwner(id))) {
            throw new BatchNotFoundException(id);
        }
        return waits.awaitFinalStates(ids, Waits.parse(wait, limits.maxWait()))
                .thenApply(states -> view(id, ids, states));
    }

    private List<String> members(String id) {
        List<String> ids = inspector.batchMembers(id);
        if (ids.isEmpty()) {
            throw new BatchNotFoundException(id);
        }
        return ids;
    }

    private BatchView replayed(String id) {
        List<String> ids = members(id);
        return view(id, ids, store.watchStates(ids));
    }

    private static BatchView view(String id, List<Job> jobs) {
        return view(id, jobs.stream().map(job -> job == null ? null : job.id()).toList(),
                jobs.stream().map(job -> job == null ? null : job.state()).toList());
    }

    /** The counts, from the member ids and their states (null: the job's record expired). */
    private static BatchView view(String id, List<String> members, List<JobState> states) {
        Map<JobState, Integer> counts = new EnumMap<>(JobState.class);
        int expired = 0;
        int done = 0;
        List<String> ids = new ArrayList<>(members.size());
        for (int i = 0; i < members.size(); i++) {
            JobState state = states.get(i);
            if (state == null) {
                expired++;
                done++;
            } else {
                counts.merge(state, 1, Integer::sum);
                ids.add(members.get(i));
                done += state.isFinal() ? 1 : 0;
            }
        }
        Map<String, Integer> byState = new LinkedHashMap<>();
        for (JobState state : JobState.values()) {
            byState.put(state.wire(), counts.getOrDefault(state, 0));
        }
        return new BatchView(id, members.size(), byState, expired, done == members.size(), ids);
    }

    /**
     * @param states  jobs per state (scheduled, queued, running, retrying, succeeded, failed, dead, cancelled)
     * @param expired jobs whose records expired (sluice.jobs.retention) before the batch was read
     * @param jobIds  the batch's job ids, in submission order
     */
    record BatchView(String id, int total, Map<String, Integer> states, int expired, boolean finished,
            List<String> jobIds) {
    }
}
