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

    List<Violation> violations() {
        return violations;
    }
}
