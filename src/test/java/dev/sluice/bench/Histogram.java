package dev.sluice.bench;

/**
 * Latencies in fixed buckets: 1 µs wide up to 10 ms, 100 µs wide up to 1 s, one overflow bucket.
 * Cheap to record from many threads (one per thread, merged at the end), exact enough for p50–p99.
 */
final class Histogram {

    private static final int FINE = 10_000;
    private static final int COARSE = 10_000;
    private final long[] counts = new long[FINE + COARSE + 1];
    private long total;
    private long maxNanos;

    void record(long nanos) {
        long micros = Math.max(0, nanos / 1_000);
        int bucket = micros < FINE ? (int) micros : (int) Math.min(FINE + (micros - FINE) / 100, FINE + COARSE);
        counts[bucket]++;
        total++;
        maxNanos = Math.max(maxNanos, nanos);
    }

    void add(Histogram other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        maxNanos = Math.max(maxNanos, other.maxNanos);
    }

    long count() {
        return total;
    }

    /** The latency at quantile {@code q} (0–1), in milliseconds (upper edge of its bucket). */
    double percentileMillis(double q) {
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank && seen > 0) {
                double micros = i < FINE ? i + 1 : FINE + (i - FINE + 1) * 100.0;
                return Math.min(micros / 1000.0, maxMillis());
            }
        }
        return maxMillis();
    }

    double maxMillis() {
        return maxNanos / 1_000_000.0;
    }
}
