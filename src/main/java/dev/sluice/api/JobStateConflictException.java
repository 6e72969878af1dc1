package dev.sluice.api;

import dev.sluice.queue.JobState;

/** The job exists but its state forbids the request (cancel a finished job, retry a running one). */
class JobStateConflictException extends RuntimeException {

    private final JobState state;

    JobStateConflictException(String message, JobState state) {
        super(message);
        this.state = state;
    }

    JobState state() {
        return state;
    }
}
