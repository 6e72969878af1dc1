package dev.sluice.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The one mapping from a job's Redis hash to a {@link Job}, for writers and readers alike. */
final class JobHashes {

    private JobHashes() {
    }

    static Job toJob(String id, Map<Object, Object> hash) {
        return new Job(
                id,
                (String) hash.get("type"),
                Priority.fromWire((String) hash.get("priority")),
                JobState.fromWire((String) hash.get("state")),
                (String) hash.get("payload"),
                (String) hash.get("result"),
                (String) hash.get("error"),
                (String) hash.get("errorType"),
                integer(hash.get("attempts")),
                integer(hash.get("maxAttempts")),
                Duration.ofMillis(number(hash.get("timeoutMs"))),
                instant(hash.get("createdAt")),
                instant(hash.get("startedAt")),
                instant(hash.get("finishedAt")),
                instant(hash.get("runAt")),
                (String) hash.get("node"),
                "1".equals(hash.get("cancelRequested")),
                (String) hash.get("batch"),
                hash.get("progress") == null ? null : Integer.valueOf((String) hash.get("progress")),
                (String) hash.get("progressMessage"),
                (String) hash.get("owner"),
                (String) hash.get("key"),
                (String) hash.get("attemptLog"));
    }

    private static int integer(Object value) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, number(value)));
    }

    /** A stored count or amount; a value that no longer parses reads as 0 rather than failing every listing. */
    private static long number(Object value) {
        try {
            return value == null ? 0 : Long.parseLong((String) value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Instant instant(Object millis) {
        return millis == null ? null : Instant.ofEpochMilli(Long.parseLong((String) millis));
    }
}
