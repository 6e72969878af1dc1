package dev.sluice.api;

/** This node holds as many event streams as sluice.api.max-event-streams allows; answered 429. */
class TooManyStreamsException extends RuntimeException {

    private final int limit;

    TooManyStreamsException(int limit) {
        super("This node has " + limit + " event streams open (sluice.api.max-event-streams); retry later.");
        this.limit = limit;
    }

    int limit() {
        return limit;
    }
}
