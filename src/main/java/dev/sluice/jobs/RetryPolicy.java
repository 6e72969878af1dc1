package dev.sluice.jobs;

import java.time.Duration;
import java.util.function.DoubleSupplier;

import dev.sluice.config.SluiceProperties;

/**
 * Exponential back-off with jitter: {@code base * 2^(attempt-1)}, capped at {@code max}, then spread
 * by up to {@code jitter} either way, so jobs that failed together do not all come back together.
 */
public record RetryPolicy(Duration base, Duration max, double jitter, DoubleSupplier random) {

    public static RetryPolicy of(SluiceProperties.Retry retry) {
        return new RetryPolicy(retry.backoff(), retry.maxBackoff(), retry.jitter(), Math::random);
    }

    /** How long to wait after failed attempt number {@code attempt} (1 for the first). */
    public Duration backoff(int attempt) {
        double exponential = base.toMillis() * Math.pow(2, Math.min(attempt - 1, 40));
        double capped = Math.min(exponential, max.toMillis());
        double spread = 1 + jitter * (2 * random.getAsDouble() - 1);
        return Duration.ofMillis(Math.round(capped * spread));
    }
}
