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
}
