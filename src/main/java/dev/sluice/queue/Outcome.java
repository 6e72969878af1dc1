package dev.sluice.queue;

/**
 * How one delivery of a job ended, to be written back with its token.
 *
 * @param result    JSON text when succeeded
 * @param error     message when failed
 * @param errorType kind of failure when failed
 */
public record Outcome(String id, String token, int attempt, JobState state, String result, String error,
        String errorType) {

    public static Outcome succeeded(ClaimedJob job, String result) {
        return new Outcome(job.id(), job.token(), job.attempt(), JobState.SUCCEEDED, result, null, null);
    }

    public static Outcome failed(ClaimedJob job, String error, String errorType) {
        return new Outcome(job.id(), job.token(), job.attempt(), JobState.FAILED, null, error, errorType);
    }
}
