package dev.sluice.api;

import java.net.URI;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

import dev.sluice.jobs.Violation;

/**
 * The RFC 9457 problem types Sluice answers with. Each has a stable {@code type} URI (relative, listed
 * in the README), a fixed title, and, where fields are at fault, an {@code errors} array of
 * {@code {field, reason}}.
 */
enum Problems {
    INVALID_REQUEST(HttpStatus.BAD_REQUEST, "invalid-request", "The request is not valid"),
    MALFORMED_JSON(HttpStatus.BAD_REQUEST, "malformed-json", "The request body is not valid JSON"),
    UNKNOWN_JOB_TYPE(HttpStatus.BAD_REQUEST, "unknown-job-type", "No such job type"),
    INVALID_PAYLOAD(HttpStatus.BAD_REQUEST, "invalid-payload", "The payload does not fit the job type"),
    JOB_NOT_FOUND(HttpStatus.NOT_FOUND, "job-not-found", "No such job"),
    BATCH_NOT_FOUND(HttpStatus.NOT_FOUND, "batch-not-found", "No such batch"),
    JOB_STATE_CONFLICT(HttpStatus.CONFLICT, "job-state-conflict", "The job's state does not allow this"),
    IDEMPOTENCY_CONFLICT(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused",
            "The Idempotency-Key was used with another request"),
    QUEUE_FULL(HttpStatus.TOO_MANY_REQUESTS, "queue-full", "The queue is full"),
    PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "The request body is too large"),
    REDIS_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "redis-unavailable", "The queue store is unreachable"),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side");

    private final HttpStatus status;
    private final URI type;
    private final String title;

    Problems(HttpStatus status, String slug, String title) {
        this.status = status;
        this.type = URI.create("/problems/" + slug);
        this.title = title;
    }

    HttpStatus status() {
        return status;
    }

    ProblemDetail detail(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type);
        problem.setTitle(title);
        return problem;
    }

    ProblemDetail detail(String detail, List<Violation> errors) {
        ProblemDetail problem = detail(detail);
        problem.setProperty("errors", errors);
        return problem;
    }
}
