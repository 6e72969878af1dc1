package dev.sluice.api;

import java.util.Map;

import org.springframework.http.ProblemDetail;

import dev.sluice.web.Problems;

/** An answer that is a problem of the catalogue, with its detail and extra members (state, workerState, ...). */
class ProblemException extends RuntimeException {

    private final Problems problem;
    private final Map<String, Object> properties;
    private final String retryAfter;

    ProblemException(Problems problem, String detail) {
        this(problem, detail, Map.of());
    }

    ProblemException(Problems problem, String detail, Map<String, Object> properties) {
        this(problem, detail, properties, null);
    }

    /** @param retryAfter the answer's Retry-After (seconds), or null for none */
    ProblemException(Problems problem, String detail, Map<String, Object> properties, String retryAfter) {
        super(detail);
        this.problem = problem;
        this.properties = properties;
        this.retryAfter = retryAfter;
    }

    String retryAfter() {
        return retryAfter;
    }

    ProblemDetail toProblem() {
        ProblemDetail detail = problem.detail(getMessage());
        properties.forEach(detail::setProperty);
        return detail;
    }
}
