package dev.sluice.queue;

/** An enqueue named a remote job type that is not registered (any more): nothing was written. */
public class UnknownRemoteTypeException extends RuntimeException {

    private final String type;

    public UnknownRemoteTypeException(String type) {
        super("remote job type '" + type + "' is not registered");
        this.type = type;
    }

    public String type() {
        return type;
    }
}
