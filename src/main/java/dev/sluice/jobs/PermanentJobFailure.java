package dev.sluice.jobs;

/**
 * Thrown by a handler when retrying cannot help (a declined card, a deleted account): the job ends
 * {@code failed} at once, whatever attempts it has left.
 */
public class PermanentJobFailure extends RuntimeException {

    public PermanentJobFailure(String message) {
        super(message);
    }

    public PermanentJobFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
