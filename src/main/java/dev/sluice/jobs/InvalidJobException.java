package dev.sluice.jobs;

import java.util.List;

/** A submission that cannot become a job: unknown type or invalid payload. Nothing was written. */
public class InvalidJobException extends RuntimeException {

    private final Kind kind;
    private final List<Violation> violations;

    public enum Kind { UNKNOWN_TYPE, INVALID_PAYLOAD, INVALID_REQUEST }

    public InvalidJobException(Kind kind, List<Violation> violations) {
        super(violations.toString());
        this.kind = kind;
        this.violations = List.copyOf(violations);
    }

    public Kind kind() {
        return kind;
    }

    public List<Violation> violations() {
        return violations;
    }
}
