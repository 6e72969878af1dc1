package dev.sluice.jobs;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where to tell that a job ended: {@code POST url} with the job, signed (Standard Webhooks), for the
 * final states named in {@code events} (default: all four).
 */
public record Callback(String url, Set<String> events) {

    /** The final states a callback can be for. */
    public static final List<String> EVENTS = List.of("succeeded", "failed", "dead", "cancelled");

    /** Checks callbacks at submission and turns them into what is stored with the job. */
    public interface Policy {

        /** Why this callback may not be accepted (its URL, or callbacks not configured), or empty. */
        Optional<String> refusal(Callback callback);

        /** What is stored with the job: JSON the scripts read when the job ends (url, events, and the callback job's settings). */
        String spec(Callback callback);
    }
}
