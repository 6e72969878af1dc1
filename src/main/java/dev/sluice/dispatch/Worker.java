package dev.sluice.dispatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobTypes;
import dev.sluice.queue.ClaimedJob;
import dev.sluice.queue.Outcome;

/** Runs one claimed job on a worker thread and turns whatever happens into an outcome. */
@Component
class Worker {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final JobTypes types;

    Worker(JobTypes types) {
        this.types = types;
    }

    /** Never throws: every path yields an outcome, and with it the job's token. */
    Outcome run(ClaimedJob job) {
        MDC.put("jobId", job.id());
        MDC.put("jobType", job.type());
        try {
            String result = types.run(job.type(), job.payload(), new JobContext(job.id(), job.type(), job.attempt()));
            return Outcome.succeeded(job, result);
        } catch (InterruptedException e) {
            return Outcome.failed(job, "interrupted", "Interrupted");
        } catch (Throwable e) {
            log.debug("Job failed", e);
            return Outcome.failed(job, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(),
                    e.getClass().getSimpleName());
        } finally {
            Thread.interrupted(); // a pool thread must not carry an interrupt into its next job
            MDC.remove("jobId");
            MDC.remove("jobType");
        }
    }
}
