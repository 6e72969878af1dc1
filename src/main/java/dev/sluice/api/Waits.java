package dev.sluice.api;

import java.time.Duration;

import dev.sluice.jobs.Durations;

/** Reads a {@code ?wait=} parameter: absent is no wait; more than the cap is the cap. */
final class Waits {

    private Waits() {
    }

    static Duration parse(String wait, Duration cap) {
        if (wait == null) {
            return Duration.ZERO;
        }
        Duration duration = Durations.parse(wait)
                .orElseThrow(() -> new InvalidRequestException("wait", "must be " + Durations.EXAMPLES));
        return duration.compareTo(cap) > 0 ? cap : duration;
    }
}
