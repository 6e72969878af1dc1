package dev.sluice.queue;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A job's life. The Lua scripts make these moves (each script's header says which); the script tests
 * check each move, its empty and wrong-state paths included.
 *
 * <pre>
 * scheduled ──due──▶ queued; scheduled ──cancel──▶ cancelled
 * queued ──claim──▶ running ──▶ succeeded
 *   ▲  │              │ │ │ └──▶ failed     (one attempt only, or a permanent failure)
 *   │  │              │ │ └────▶ dead       (every one of several attempts failed)
 *   │  │              │ └──────▶ retrying ──due──▶ queued
 *   │  │              └────────▶ queued     (lease lost or node stopped: back at the head)
 *   │  └──cancel──▶ cancelled ◀── cancel ── running, retrying
 *   └──────retry── dead, failed, cancelled
 * </pre>
 */
public enum JobState {
    SCHEDULED, QUEUED, RUNNING, RETRYING, SUCCEEDED, FAILED, DEAD, CANCELLED;

    private final String wire = name().toLowerCase();

    @JsonValue
    public String wire() {
        return wire;
    }

    public static JobState fromWire(String value) {
        return valueOf(value.toUpperCase());
    }

    /** Finished: no worker will touch it again on its own. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == DEAD || this == CANCELLED;
    }

    /** Whether {@code POST /api/jobs/{id}/retry} may run it again. */
    public boolean isRetryable() {
        return this == FAILED || this == DEAD || this == CANCELLED;
    }
}
