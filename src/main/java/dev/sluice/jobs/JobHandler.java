package dev.sluice.jobs;

import java.time.Duration;

/**
 * Runs one type of job. Implement it as a Spring bean and Sluice registers it under {@link #type()}.
 * The payload arrives as JSON, is bound to {@link #payloadType()} and checked with Bean Validation
 * when the job is submitted, so a handler only ever sees valid payloads.
 *
 * <p>Delivery is at-least-once: a handler may run more than once for the same job (see
 * {@link JobContext#attempt()}), so make its effects idempotent.
 *
 * @param <P> the payload type, usually a record
 */
public interface JobHandler<P> {

    /** The name clients submit, e.g. {@code "add"}. */
    String type();

    Class<P> payloadType();

    /** One line for {@code GET /api/job-types}. */
    String description();

    /** A payload that works, shown in {@code GET /api/job-types} and the API docs. */
    P example();

    /**
     * Does the work. The return value becomes the job's JSON result; an exception fails the job. The
     * thread is interrupted when the job is cancelled or times out: let {@link InterruptedException}
     * propagate.
     */
    Object handle(P payload, JobContext context) throws Exception;

    /**
     * Checks a bound, Bean-Validated payload further at submission (what annotations cannot say: an
     * allowed target, a configured credential); each violation names its field under {@code payload}.
     */
    default java.util.List<Violation> check(P payload) {
        return java.util.List.of();
    }

    /** How long one attempt may run, unless the submission says otherwise. */
    default Duration timeout() {
        return Duration.ofMinutes(5);
    }

    /** How many deliveries a job gets, unless the submission says otherwise. */
    default int maxAttempts() {
        return 3;
    }
}
