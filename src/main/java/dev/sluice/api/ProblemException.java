package dev.sluice.api;

import java.util.Map;

import org.springframework.http.ProblemDetail;

import dev.sluice.web.Problems;

/** An answer that is a problem of the catalogue, with its detail and extra members (state, workerState, ...). */
class ProblemException extends RuntimeException {

    private final Problems problem;
    private final Map<String, Object> properties;

    ProblemException(Problems problem, String detail) {
        this(problem, detail, Map.of());
    }

    ProblemException(Problems problem, String detail, Map<String, Object> properties) {
        super(detail);
        this.problem = problem;
        this.properties = properties;
    }

    ProblemDetail toProblem() {
        ProblemDetail detail = problem.detail(getMessage());
        properties.forEach(detail::setProperty);
        return detail;
    }
}
