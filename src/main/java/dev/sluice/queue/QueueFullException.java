package dev.sluice.queue;

/** A submission that would push a queue over its capacity; nothing was written. */
public class QueueFullException extends RuntimeException {

    private final String scope;
    private final long depth;
    private final long capacity;

    QueueFullException(String scope, long depth, long capacity) {
        super("The " + ("total".equals(scope) ? "queues are" : scope + " queue is") + " full: " + depth
                + " jobs waiting, capacity " + capacity + ".");
        this.scope = scope;
        this.depth = depth;
        this.capacity = capacity;
    }

    /** {@code total}, or the priority whose limit was hit */
    public String scope() {
        return scope;
    }

    public long depth() {
        return depth;
    }

    public long capacity() {
        return capacity;
    }
}
