package dev.sluice.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

import dev.sluice.queue.Job;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobStore;
import dev.sluice.queue.NewJob;
import dev.sluice.queue.Priority;

/**
 * Turns requests into queued jobs: every request is validated before anything is written, then all
 * of them are enqueued in one atomic script call.
 */
@Component
public class JobSubmitter {

    private final JobTypes types;
    private final JobStore store;

    JobSubmitter(JobTypes types, JobStore store) {
        this.types = types;
        this.store = store;
    }

    public Job submit(JobRequest request) {
        return enqueue(List.of(prepare(request))).get(0);
    }

    private NewJob prepare(JobRequest request) {
        JobHandler<?> handler = types.require(request.type());
        return new NewJob(JobIds.next(), request.type(),
                request.priority() == null ? Priority.NORMAL : request.priority(),
                types.validate(handler, request.payload()),
                request.maxAttempts() == null ? handler.maxAttempts() : request.maxAttempts(),
                request.timeout() == null ? handler.timeout() : request.timeout());
    }

    /**
     * Validates every request, then enqueues them all in one atomic script call: all or none. The
     * violations of every invalid request are reported together, each field prefixed with
     * {@code jobs[i].}.
     */
    public List<Job> submitAll(List<JobRequest> requests) {
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
        return enqueue(jobs);
    }

    private List<Job> enqueue(List<NewJob> jobs) {
        Instant createdAt = store.enqueue(jobs);
        return jobs.stream().map(job -> new Job(job.id(), job.type(), job.priority(), JobState.QUEUED, job.payload(),
                null, null, null, 0, job.maxAttempts(), job.timeout(), createdAt, null, null, null, false)).toList();
    }
}
