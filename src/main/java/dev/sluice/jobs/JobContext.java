package dev.sluice.jobs;

/**
 * What a handler knows about the job it runs.
 *
 * @param attempt 1 on the first delivery, higher when the job is delivered again
 */
public record JobContext(String jobId, String type, int attempt) {
}
