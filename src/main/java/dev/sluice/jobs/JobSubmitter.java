package dev.sluice.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

import dev.sluice.queue.Enqueue;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobStore;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.Priority;

/**
 * Turns requests into queued (or scheduled) jobs: every request is validated before anything is
 * written, then all of them are enqueued in one atomic script call, which also enforces capacity and
 * idempotency.
 */
@Component
public class JobSubmitter {

    private final JobTypes types;
    private final JobStore store;
    private final List<JobObserver> observers;

    JobSubmitter(JobTypes types, JobStore store, List<JobObserver> observers) {
        this.types = types;
        this.store = store;
        this.observers = observers;
    }

    /**
     * What a submission did.
     *
     * @param jobs       the jobs created (empty when replayed)
     * @param batchId    the batch they form, when tracked
     * @param replayedId when the Idempotency-Key was seen before with the same request: the id (job or
     *                   batch) the first request created; null otherwise
     */
    public record Submitted(List<Job> jobs, String batchId, String replayedId) {
        public boolean replayed() {
            return replayedId != null;
        }
    }

    public Job submit(JobRequest request) {
        return submit(request, null).jobs().get(0);
    }

    public Submitted submit(JobRequest request, Idempotency idempotency) {
        NewJob job = prepare(request);
        return enqueue(List.of(job), idempotency, job.id(), null);
    }

    /**
     * Submits a job on behalf of something else the client created ({@code ownerId}, an order say):
     * a replayed Idempotency-Key then answers with that owner's id.
     */
    public Submitted submit(JobRequest request, Idempotency idempotency, String ownerId) {
        return enqueue(List.of(prepare(request)), idempotency, ownerId, null);
    }

    /** Submits many jobs, all or none, untracked (no batch record). */
    public List<Job> submitAll(List<JobRequest> requests) {
        return submitAll(requests, null, false).jobs();
    }

    /**
     * Validates every request, then enqueues them all in one atomic script call: all or none. The
     * violations of every invalid request are reported together, each field prefixed with
     * {@code jobs[i].}. When {@code tracked}, the jobs form a batch whose progress can be read.
     */
    public Submitted submitAll(List<JobRequest> requests, Idempotency idempotency, boolean tracked) {
        List<NewJob> jobs = new ArrayList<>(requests.size());
        List<Violation> violations = new ArrayList<>();
        InvalidJobException.Kind kind = null;
        for (int i = 0; i < requests.size(); i++) {
            try {
                jobs.add(prepare(requests.get(i)));
            } catch (InvalidJobException e) {
                kind = kind == null ? e.kind() : kind;
                for (Violation violation : e.violations()) {
                    violations.add(new Violation("jobs[" + i + "]." + violation.field(), violation.reason()));
                }
            }
        }
        if (kind != null) {
            throw new InvalidJobException(kind, violations);
        }
        String batchId = tracked ? JobIds.next() : null;
        return enqueue(jobs, idempotency, tracked ? batchId : jobs.get(0).id(), batchId);
    }

    private Submitted enqueue(List<NewJob> jobs, Idempotency idempotency, String ownerId, String batchId) {
        Enqueue.Options options = batchId == null ? Enqueue.Options.NONE : Enqueue.Options.batch(batchId);
        if (idempotency != null) {
            options = options.withIdempotency(idempotency.scope(), idempotency.key(), ownerId,
                    idempotency.fingerprint());
        }
        Enqueue.Result result = store.enqueue(jobs, options);
        if (result instanceof Enqueue.Duplicate duplicate) {
            if (!duplicate.fingerprint().equals(idempotency.fingerprint())) {
                throw new IdempotencyConflictException(idempotency.key());
            }
            return new Submitted(List.of(), null, duplicate.ownerId());
        }
        Instant createdAt = ((Enqueue.Accepted) result).createdAt();
        for (NewJob job : jobs) {
            observers.forEach(o -> o.submitted(job.type(), job.priority()));
        }
        return new Submitted(jobs.stream().map(job -> new Job(job.id(), job.type(), job.priority(),
                job.delay().isZero() ? JobState.QUEUED : JobState.SCHEDULED, job.payload(), null, null, null, 0,
                job.maxAttempts(), job.timeout(), createdAt, null, null,
                job.delay().isZero() ? null : createdAt.plus(job.delay()), null, false, batchId, null, null, job.owner()))
                .toList(),
                batchId, null);
    }

    private NewJob prepare(JobRequest request) {
        JobHandler<?> handler = types.require(request.type());
        String payload = types.validate(handler, request.payload());
        if (request.delay() != null && request.runAt() != null) {
            throw new InvalidJobException(InvalidJobException.Kind.INVALID_REQUEST,
                    List.of(new Violation("runAt", "give delay or runAt, not both")));
        }
        Duration delay = request.delay() != null ? request.delay()
                : request.runAt() != null ? Duration.between(Instant.now(), request.runAt()) : Duration.ZERO;
        return new NewJob(JobIds.next(), request.type(),
                request.priority() == null ? Priority.NORMAL : request.priority(), payload,
                request.maxAttempts() == null ? handler.maxAttempts() : request.maxAttempts(),
                request.timeout() == null ? handler.timeout() : request.timeout(),
                delay.isNegative() ? Duration.ZERO : delay, request.owner());
    }
}
