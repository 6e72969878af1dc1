package dev.sluice.api;

import java.util.Map;
import java.util.concurrent.Semaphore;

import jakarta.servlet.http.HttpServletRequest;

import dev.sluice.web.Problems;

/**
 * What one node's API may hold in memory at once for requests, in bytes ({@code sluice.api.max-bodies-in-flight}):
 * request bodies from their first byte ({@link BodyLimitFilter}) and the jobs a listing page reads
 * (their payloads, results and errors), each until its request is answered. A request that would pass
 * it is answered 503 busy; nothing is done for it. Reservations are kept on the request and given back
 * by {@link BodyLimitFilter} when the request ends, so a page is counted until it is written out.
 */
final class MemoryBudget {

    private static final String HELD = MemoryBudget.class.getName() + ".held";
    private static final int KIB = 1024;

    private final long bytes;
    private final Semaphore kib;

    MemoryBudget(long bytes) {
        this.bytes = bytes;
        this.kib = new Semaphore((int) Math.min(Integer.MAX_VALUE, bytes / KIB));
    }

    long bytes() {
        return bytes;
    }

    /** Reserves {@code amount} more bytes for the request; false (nothing reserved) when the budget is spent now. */
    boolean reserve(HttpServletRequest request, long amount) {
        int wanted = (int) Math.min(Integer.MAX_VALUE, (amount + KIB - 1) / KIB);
        if (wanted == 0) {
            return true;
        }
        if (!kib.tryAcquire(wanted)) {
            return false;
        }
        Integer held = (Integer) request.getAttribute(HELD);
        request.setAttribute(HELD, (held == null ? 0 : held) + wanted);
        return true;
    }

    /** Gives back everything the request reserved. */
    void release(HttpServletRequest request) {
        Integer held = (Integer) request.getAttribute(HELD);
        if (held != null) {
            request.removeAttribute(HELD);
            kib.release(held);
        }
    }

    /** The answer when the budget is spent: 503 busy, nothing done. */
    ProblemException busy() {
        return new ProblemException(Problems.BUSY, "This node holds " + bytes + " bytes of request bodies and "
                + "listed jobs at most (sluice.api.max-bodies-in-flight) and is at that now; nothing was done. "
                + "Retry after a moment, or send smaller batches or ask for smaller pages.",
                Map.of("outcome", "not-applied"), "1");
    }

    /**
     * Reserves what a listing page's jobs hold, or refuses: a page larger than the whole budget can never
     * be answered (400 naming {@code size}); one that does not fit now is 503 busy.
     */
    void admitPage(HttpServletRequest request, long pageBytes, int size) {
        if (pageBytes > bytes) {
            throw new InvalidRequestException("size", "the " + size + " jobs of this page hold " + pageBytes
                    + " bytes, more than the " + bytes + " a node may hold for requests at once "
                    + "(sluice.api.max-bodies-in-flight): ask for fewer");
        }
        if (!reserve(request, pageBytes)) {
            throw busy();
        }
    }
}
