package dev.sluice.jobs;

/**
 * What a handler knows about the job it runs, and how it reports progress.
 *
 * @param attempt  1 on the first delivery, higher when the job is delivered again
 * @param reporter where {@link #progress} goes (the job's record and its event stream)
 */
public record JobContext(String jobId, String type, int attempt, ProgressReporter reporter) {

    /** Receives a running job's progress reports. */
    @FunctionalInterface
    public interface ProgressReporter {
        void report(int percent, String message);
    }

    public JobContext(String jobId, String type, int attempt) {
        this(jobId, type, attempt, (percent, message) -> { });
    }

    /**
     * Reports how far the job is: shown in the job view and sent to its event stream. Cheap enough for
     * a few reports a second; only the delivery that currently runs the job is heard.
     *
     * @param percent 0 to 100
     */
    public void progress(int percent, String message) {
        reporter.report(percent, message);
    }
}
