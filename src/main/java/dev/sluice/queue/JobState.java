package dev.sluice.queue;

import java.util.EnumSet;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A job's life. The Lua scripts make these moves; this table is their specification and is checked
 * against them by tests.
 */
public enum JobState {
    QUEUED, RUNNING, SUCCEEDED, FAILED;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }

    public static JobState fromWire(String value) {
        return valueOf(value.toUpperCase());
    }

    public boolean isFinal() {
        return next().isEmpty();
    }

    /** The states this one may move to. */
    public Set<JobState> next() {
        return switch (this) {
            case QUEUED -> EnumSet.of(RUNNING);
            case RUNNING -> EnumSet.of(SUCCEEDED, FAILED);
            case SUCCEEDED, FAILED -> EnumSet.noneOf(JobState.class);
        };
    }
}
