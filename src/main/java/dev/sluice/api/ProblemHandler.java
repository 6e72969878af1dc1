package dev.sluice.api;

import java.util.Comparator;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;

import org.springframework.dao.DataAccessException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.beans.TypeMismatchException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import dev.sluice.config.SluiceProperties;
import dev.sluice.jobs.IdempotencyConflictException;
import dev.sluice.jobs.InvalidJobException;
import dev.sluice.jobs.Violation;
import dev.sluice.queue.QueueFullException;
import dev.sluice.queue.RedisFailures;
import dev.sluice.web.Problems;

/** Every error the API answers with, as RFC 9457 problem+json. Never a class name or a stack trace. */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);
    static final String RETRY_AFTER_SECONDS = "5";

    private final int maxJsonDepth;
    private final int maxStringLength;

    ProblemHandler(SluiceProperties properties) {
        this.maxJsonDepth = properties.api().maxJsonDepth();
        this.maxStringLength = properties.api().maxStringLength();
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> invalidJob(InvalidJobException e) {
        Problems problem = switch (e.kind()) {
            case UNKNOWN_TYPE -> Problems.UNKNOWN_JOB_TYPE;
            case INVALID_PAYLOAD -> Problems.INVALID_PAYLOAD;
            case INVALID_REQUEST -> Problems.INVALID_REQUEST;
        };
        return respond(problem.detail(summary(e.violations()), e.violations()));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> problem(ProblemException e) {
        ProblemDetail problem = e.toProblem();
        if (e.retryAfter() != null) {
            return ResponseEntity.status(problem.getStatus()).header(HttpHeaders.RETRY_AFTER, e.retryAfter())
                    .body(problem);
        }
        return respond(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> invalidRequest(InvalidRequestException e) {
        return respond(Problems.INVALID_REQUEST.detail(summary(e.violations()), e.violations()));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notFound(JobNotFoundException e) {
        return respond(Problems.JOB_NOT_FOUND.detail(e.getMessage()));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notFound(BatchNotFoundException e) {
        return respond(Problems.BATCH_NOT_FOUND.detail(e.getMessage()));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> full(QueueFullException e) {
        ProblemDetail problem = Problems.QUEUE_FULL.detail(e.getMessage() + " Nothing was queued; retry later.");
        problem.setProperty("queue", e.scope());
        problem.setProperty("depth", e.depth());
        problem.setProperty("capacity", e.capacity());
        return ResponseEntity.status(Problems.QUEUE_FULL.status()).header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> tooManyStreams(TooManyStreamsException e) {
        ProblemDetail problem = Problems.TOO_MANY_STREAMS.detail(e.getMessage());
        problem.setProperty("limit", e.limit());
        return ResponseEntity.status(Problems.TOO_MANY_STREAMS.status())
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> reusedKey(IdempotencyConflictException e) {
        return respond(Problems.IDEMPOTENCY_CONFLICT.detail(e.getMessage(),
                List.of(new Violation("Idempotency-Key", "was used before with a different request body"))));
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> conflict(JobStateConflictException e) {
        ProblemDetail problem = Problems.JOB_STATE_CONFLICT.detail(e.getMessage());
        problem.setProperty("state", e.state());
        return respond(problem);
    }

    /**
     * The master took the write but too few replicas confirmed it in time: it stands, yet a failover
     * now could lose it. The client cannot tell, so it retries with its Idempotency-Key (which finds
     * the job when it survived, and queues it again when it did not).
     */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> notReplicated(dev.sluice.queue.Replication.NotReplicatedException e) {
        log.warn("Write not replicated: {}", e.getMessage());
        ProblemDetail problem = Problems.NOT_REPLICATED.detail(e.getMessage() + ". It was written to the "
                + "master and may or may not survive a failover: retry with the same Idempotency-Key.");
        problem.setProperty("outcome", "unknown");
        problem.setProperty("acknowledged", e.acknowledged());
        problem.setProperty("required", e.required());
        return ResponseEntity.status(Problems.NOT_REPLICATED.status())
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).body(problem);
    }

    /**
     * A failure of the queue store: an outage (unreachable, timed out, loading, busy) is 503; an error
     * reply about the command itself is a bug, 500. Which is which, {@link RedisFailures} decides.
     */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> storeFailed(DataAccessException e, HttpServletRequest request) {
        return RedisFailures.isOutage(e) ? unavailable(e) : unexpected(e, request);
    }

    /**
     * A command that was never sent (Redis unreachable, commands rejected while disconnected) changed
     * nothing. A command that timed out may have run: Redis can execute it and its reply arrive too
     * late. The answer says which, so a client knows when a retry needs its Idempotency-Key.
     */
    private ResponseEntity<ProblemDetail> unavailable(RuntimeException e) {
        log.warn("Redis unreachable: {}", e.getMessage());
        boolean mayHaveRun = RedisFailures.mayHaveRun(e);
        ProblemDetail problem = Problems.REDIS_UNAVAILABLE.detail(mayHaveRun
                ? "Redis did not answer in time: the request may or may not have taken effect. Retry with the "
                        + "same Idempotency-Key to be safe, or read the resource first."
                : "Redis did not answer; nothing was changed. Retry later.");
        problem.setProperty("outcome", mayHaveRun ? "unknown" : "not-applied");
        return ResponseEntity.status(Problems.REDIS_UNAVAILABLE.status())
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS).body(problem);
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        log.error("Unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return respond(Problems.INTERNAL.detail("The error was logged."));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Violation> violations = e.getBindingResult().getFieldErrors().stream()
                .map(f -> new Violation(f.getField(), f.getDefaultMessage()))
                .sorted(Comparator.comparing(Violation::field))
                .toList();
        return widen(respond(Problems.INVALID_REQUEST.detail(summary(violations), violations)));
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Violation> violations = e.getParameterValidationResults().stream()
                .flatMap(result -> result.getResolvableErrors().stream()
                        .map(error -> new Violation(result.getMethodParameter().getParameterName(),
                                error.getDefaultMessage())))
                .sorted(Comparator.comparing(Violation::field))
                .toList();
        return widen(respond(Problems.INVALID_REQUEST.detail(summary(violations), violations)));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        StreamConstraintsException limit = causedBy(e, StreamConstraintsException.class);
        if (limit != null) {
            String message = String.valueOf(limit.getOriginalMessage()).toLowerCase();
            String reason = message.contains("nesting") ? "nests deeper than " + maxJsonDepth + " levels"
                    : message.contains("string") ? "holds a string longer than " + maxStringLength + " characters"
                    : "exceeds the limits on JSON requests";
            List<Violation> violations = List.of(new Violation("body", reason));
            return widen(respond(Problems.INVALID_REQUEST.detail(summary(violations), violations)));
        }
        JacksonException json = causedBy(e, JacksonException.class);
        if (json == null || json instanceof StreamReadException) {
            String detail = json == null ? "The request needs a JSON body." : "The body is not valid JSON.";
            return widen(respond(Problems.MALFORMED_JSON.detail(detail,
                    List.of(new Violation("body", json == null ? "is missing" : "is not valid JSON")))));
        }
        List<Violation> violations = List.of(Violation.of(json, ""));
        return widen(respond(Problems.INVALID_REQUEST.detail(summary(violations), violations)));
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException e, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        String name = e instanceof MethodArgumentTypeMismatchException mismatch ? mismatch.getName()
                : String.valueOf(e.getPropertyName());
        List<Violation> violations = List.of(new Violation(name, e.getRequiredType() != null
                && Number.class.isAssignableFrom(org.springframework.util.ClassUtils.resolvePrimitiveIfNecessary(
                        e.getRequiredType())) ? "must be a whole number" : "has a value that is not allowed"));
        return widen(respond(Problems.INVALID_REQUEST.detail(summary(violations), violations)));
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException e,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Violation> violations = List.of(new Violation(e.getParameterName(), "is required"));
        return widen(respond(Problems.INVALID_REQUEST.detail(summary(violations), violations)));
    }

    /**
     * Spring MVC's own answers (404 of an unknown path, 405, 406, 415, ...) carry no problem type: give
     * them the catalogue's type and title for their status, so every error has a stable {@code type}.
     */
    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode status,
            WebRequest request) {
        if (body instanceof ProblemDetail problem && (problem.getType() == null
                || "about:blank".equals(problem.getType().toString()))) {
            Problems type = Problems.forStatus(status.value());
            problem.setType(type.type());
            problem.setTitle(type.detail("").getTitle());
        }
        return super.createResponseEntity(body, headers, status, request);
    }

    private static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ResponseEntity<Object> widen(ResponseEntity<ProblemDetail> response) {
        return (ResponseEntity) response;
    }

    private static String summary(List<Violation> violations) {
        return String.join("; ", violations.stream().map(v -> v.field() + " " + v.reason()).toList());
    }

    private static <T extends Throwable> T causedBy(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
