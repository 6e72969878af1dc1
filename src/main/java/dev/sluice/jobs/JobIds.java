package dev.sluice.jobs;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ids for jobs, batches and the order example's orders: UUIDv7 (RFC 9562), so ids sort by creation time. The 74 random bits come from
 * {@link ThreadLocalRandom}: ids must be unique, not secret (access to jobs is the API keys' business),
 * and {@code UUID.randomUUID()}'s shared SecureRandom is a contention point under concurrent submission.
 */
public final class JobIds {

    private JobIds() {
    }

    public static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long millis = System.currentTimeMillis();
        long high = (millis << 16) | 0x7000L | (random.nextInt() & 0x0FFFL);
        long low = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(high, low).toString();
    }

    /**
     * An id that carries its partition (0-255) in its last two hex digits (eight of the 62 random
     * bits; the rest stay random), so that reads, cancels and retries find the job's keys from its id
     * alone ({@code Partitions.of}).
     */
    public static String next(int partition) {
        return inPartition(next(), partition);
    }

    /** The same id with its last two hex digits set to {@code partition}. */
    public static String inPartition(String id, int partition) {
        return id.substring(0, 34) + HEX.charAt(partition >> 4 & 0xF) + HEX.charAt(partition & 0xF);
    }

    private static final String HEX = "0123456789abcdef";
}
