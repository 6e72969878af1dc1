package dev.sluice.jobs;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

import org.springframework.boot.convert.DurationStyle;

/**
 * Reads durations the way Spring settings do: {@code 5s}, {@code 250ms}, {@code 2m} or ISO {@code PT5S}.
 * A bare number is refused (is {@code 5} seconds or milliseconds?), and so is anything too large for a
 * {@link Duration} in milliseconds.
 */
public final class Durations {

    public static final String EXAMPLES = "a duration such as 5s, 250ms, 2m or PT5S";

    private static final Pattern BARE_NUMBER = Pattern.compile("\\s*[-+]?\\d+\\s*");
    /** Far beyond any maximum Sluice allows, and safely inside what milliseconds in a long can hold. */
    private static final Duration LARGEST = Duration.ofDays(365L * 1000);

    private Durations() {
    }

    public static Optional<Duration> parse(String text) {
        if (text == null || text.isBlank() || text.length() > 64 || BARE_NUMBER.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            Duration duration = DurationStyle.detectAndParse(text.trim());
            return duration.isNegative() || duration.compareTo(LARGEST) > 0 ? Optional.empty() : Optional.of(duration);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A duration the way a person writes it: 90s, 6h, 30d. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        long ms = duration.toMillis();
        if (ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
