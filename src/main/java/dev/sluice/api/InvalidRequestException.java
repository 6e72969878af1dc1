package dev.sluice.api;

import java.util.List;

import dev.sluice.jobs.Violation;

/** A request parameter that cannot be used; answered with 400 naming it. */
class InvalidRequestException extends RuntimeException {

    private final List<Violation> violations;

    InvalidRequestException(String field, String reason) {
        super(field + " " + reason);
        this.violations = List.of(new Violation(field, reason));
    }

    InvalidRequestException(List<Violation> violations) {
        super(violations.isEmpty() ? "invalid request" : violations.get(0).field() + " " + violations.get(0).reason());
        this.violations = List.copyOf(violations);
    }

    List<Violation> violations() {
        return violations;
    }
}
