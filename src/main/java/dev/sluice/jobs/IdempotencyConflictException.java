package dev.sluice.jobs;

/** The Idempotency-Key was used before with a different request; answered 422. */
public class IdempotencyConflictException extends RuntimeException {

    public IdempotencyConflictException(String key) {
        super("Idempotency-Key '" + key + "' was already used with a different request.");
    }
}
