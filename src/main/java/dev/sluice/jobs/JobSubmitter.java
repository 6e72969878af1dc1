package dev.sluice.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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
        return submitAll(List.of(request)).get(0);
    }

    public List<Job> submitAll(List<JobRequest> requests) {
        List<NewJob> jobs = new ArrayList<>(requests.size());
        for (JobRequest request : requests) {
            JobHandler<?> handler = types.require(request.type());
            jobs.add(new NewJob(UUID.randomUUID().toString(), request.type(),
                    request.priority() == null ? Priority.NORMAL : request.priority(),
                    types.validate(request.type(), request.payload()),
                    request.maxAttempts() == null ? handler.maxAttempts() : request.maxAttempts(),
                    request.timeout() == null ? handler.timeout() : request.timeout()));
        }
        Instant createdAt = store.enqueue(jobs);
        return jobs.stream().map(job -> new Job(job.id(), job.type(), job.priority(), JobState.QUEUED, job.payload(),
                null, null, null, 0, job.maxAttempts(), job.timeout(), createdAt, null, null, null, false)).toList();
    }
}
