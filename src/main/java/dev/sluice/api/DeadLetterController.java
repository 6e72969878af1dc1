package dev.sluice.api;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.queue.JobState;
import dev.sluice.queue.JobOperations;
import dev.sluice.queue.QueueInspector;

/** What an operator does with dead letters besides reading them (GET /api/jobs?state=dead). */
@RestController
@RequestMapping("/api/dead-letters")
@Tag(name = "dead letters", description = "Retry or remove jobs that used up their attempts")
class DeadLetterController {

    private static final int MAX_RETRY_ALL = 10_000;

    private final JobOperations operations;
    private final QueueInspector inspector;

    DeadLetterController(JobOperations operations, QueueInspector inspector) {
        this.operations = operations;
        this.inspector = inspector;
    }

    @PostMapping("/retry-all")
    @Operation(summary = "Run every dead job again (up to 10,000 a call), oldest first")
    RetriedView retryAll() {
        List<String> ids = inspector.deadIds(MAX_RETRY_ALL);
        int retried = 0;
        for (String id : ids) {
            if (operations.retry(id).filter(JobOperations.Retry::requeued).isPresent()) {
                retried++;
            }
        }
        return new RetriedView(retried);
    }

    record RetriedView(int retried) {
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Remove a dead job for good")
    @ApiResponse(responseCode = "204", description = "removed")
    @ApiResponse(responseCode = "404", description = "no job with that id")
    @ApiResponse(responseCode = "409", description = "the job is not dead (only dead letters can be removed)")
    ResponseEntity<Void> purge(@PathVariable String id) {
        JobState state = operations.purgeDead(id).orElseThrow(() -> new JobNotFoundException(id));
        if (state != JobState.DEAD) {
            throw new JobStateConflictException("Only dead jobs can be removed; this one is " + state.wire() + ".",
                    state);
        }
        return ResponseEntity.noContent().build();
    }
}
