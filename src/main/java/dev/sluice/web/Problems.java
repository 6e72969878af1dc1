package dev.sluice.web;

import java.io.IOException;
import java.net.URI;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

import dev.sluice.jobs.Violation;

/**
 * The catalogue of RFC 9457 problem types Sluice answers with, wherever the answer is made: the MVC
 * exception handler, the security filters, the body limit and the container's error path all take
 * their {@code type}, status and title from here. Each has a stable {@code type} URI (relative, listed
 * in the README), a fixed title, and, where fields are at fault, an {@code errors} array of
 * {@code {field, reason}}.
 */
public enum Problems {
    INVALID_REQUEST(HttpStatus.BAD_REQUEST, "invalid-request", "The request is not valid"),
    MALFORMED_JSON(HttpStatus.BAD_REQUEST, "malformed-json", "The request body is not valid JSON"),
    REJECTED_REQUEST(HttpStatus.BAD_REQUEST, "rejected-request", "The request's URL or headers are not allowed"),
    UNKNOWN_JOB_TYPE(HttpStatus.BAD_REQUEST, "unknown-job-type", "No such job type"),
    INVALID_PAYLOAD(HttpStatus.BAD_REQUEST, "invalid-payload", "The payload does not fit the job type"),
    MISSING_API_KEY(HttpStatus.UNAUTHORIZED, "missing-api-key", "An API key is needed"),
    FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden", "Not allowed for this key"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "not-found", "No such resource"),
    JOB_NOT_FOUND(HttpStatus.NOT_FOUND, "job-not-found", "No such job"),
    BATCH_NOT_FOUND(HttpStatus.NOT_FOUND, "batch-not-found", "No such batch"),
    ORDER_NOT_FOUND(HttpStatus.NOT_FOUND, "order-not-found", "No such order"),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "The method is not allowed here"),
    NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "not-acceptable", "No acceptable representation"),
    REQUEST_TIMEOUT(HttpStatus.REQUEST_TIMEOUT, "request-timeout", "The request was not received in time"),
    JOB_STATE_CONFLICT(HttpStatus.CONFLICT, "job-state-conflict", "The job's state does not allow this"),
    JOB_TYPE_NOT_FOUND(HttpStatus.NOT_FOUND, "job-type-not-found", "No such remote job type"),
    JOB_TYPE_CONFLICT(HttpStatus.CONFLICT, "job-type-conflict", "The job type cannot be changed now"),
    WORKER_NOT_FOUND(HttpStatus.NOT_FOUND, "worker-not-found", "No such remote worker"),
    WORKER_CONFLICT(HttpStatus.CONFLICT, "worker-conflict", "The worker id cannot be used so"),
    LEASE_LOST(HttpStatus.CONFLICT, "lease-lost", "The lease no longer holds the job"),
    JOB_CANCELLED(HttpStatus.GONE, "job-cancelled", "The job was cancelled: stop working on it"),
    PAYLOAD_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "The request body is too large"),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
            "The request body's media type is not supported"),
    IDEMPOTENCY_CONFLICT(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused",
            "The Idempotency-Key was used with another request"),
    QUEUE_FULL(HttpStatus.TOO_MANY_REQUESTS, "queue-full", "The queue is full"),
    TOO_MANY_STREAMS(HttpStatus.TOO_MANY_REQUESTS, "too-many-streams", "Too many event streams are open"),
    HEADERS_TOO_LARGE(HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large",
            "The request's headers are too large"),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Something went wrong on our side"),
    REDIS_UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "redis-unavailable", "The queue store is unreachable"),
    NOT_REPLICATED(HttpStatus.SERVICE_UNAVAILABLE, "not-replicated",
            "The write was not confirmed by enough replicas"),
    BUSY(HttpStatus.SERVICE_UNAVAILABLE, "busy", "The node holds too many request bodies now"),
    UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "The service cannot answer now");

    private final HttpStatus status;
    private final URI type;
    private final String title;

    Problems(HttpStatus status, String slug, String title) {
        this.status = status;
        this.type = URI.create("/problems/" + slug);
        this.title = title;
    }

    public HttpStatus status() {
        return status;
    }

    public URI type() {
        return type;
    }

    public ProblemDetail detail(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type);
        problem.setTitle(title);
        return problem;
    }

    public ProblemDetail detail(String detail, List<Violation> errors) {
        ProblemDetail problem = detail(detail);
        problem.setProperty("errors", errors);
        return problem;
    }

    /**
     * The problem type for an HTTP status that no specific handler named (the container's own errors,
     * Spring MVC's standard exceptions): the generic one of that status, else by its class.
     */
    public static Problems forStatus(int status) {
        return switch (status) {
            case 401 -> MISSING_API_KEY;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 408 -> REQUEST_TIMEOUT;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 431 -> HEADERS_TOO_LARGE;
            case 503 -> UNAVAILABLE;
            default -> status >= 500 ? INTERNAL : INVALID_REQUEST;
        };
    }

    /**
     * Writes a problem as the whole response, for code outside Spring MVC (servlet filters, the
     * security chain). {@code instance} is the path as sent, so it never echoes anything decoded.
     */
    public static void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem,
            JsonMapper json) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        problem.setInstance(instance(request));
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }

    /** The request's path as a URI when it is one; else none (a rejected path may not parse). */
    public static URI instance(HttpServletRequest request) {
        String uri = request.getRequestURI();
        if (uri == null || uri.length() > 2048) {
            return null;
        }
        try {
            return URI.create(uri);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
