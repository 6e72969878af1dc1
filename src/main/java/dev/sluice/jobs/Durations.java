package dev.sluice.jobs;

import java.time.Duration;
import java.util.Optional;

import org.springframework.boot.convert.DurationStyle;

/** Reads durations the way Spring settings do: {@code 5s}, {@code 250ms}, {@code 2m} or ISO {@code PT5S}. */
public final class Durations {

    public static final String EXAMPLES = "a duration such as 5s, 250ms, 2m or PT5S";

    private Durations() {
    }

    public static Optional<Duration> parse(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            Duration duration = DurationStyle.detectAndParse(text.trim());
            return duration.isNegative() ? Optional.empty() : Optional.of(duration);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
