package dev.sluice.queue;

import java.util.Arrays;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The three priority levels, in the order a free worker takes from them. Lowercase at the API edge. */
public enum Priority {
    HIGH, NORMAL, LOW;

    /** The name used in JSON, in Redis and in key names. */
    private final String wire = name().toLowerCase();

    @JsonValue
    public String wire() {
        return wire;
    }

    @JsonCreator
    public static Priority fromWire(String value) {
        for (Priority priority : values()) {
            if (priority.wire().equals(value)) {
                return priority;
            }
        }
        throw new IllegalArgumentException("must be one of " + Arrays.stream(values())
                .map(Priority::wire).collect(Collectors.joining(", ")));
    }
}
