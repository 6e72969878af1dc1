package dev.sluice.queue;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Waits for jobs to reach a final state, as announced on the events channel. Made by
 * {@link JobEvents#waitFor} before the jobs are read with {@link JobStore#watch}, so no finish between
 * the read and the wait is missed. Every path releases the registrations: {@link #until} when it
 * completes, {@link #cancel} when there is nothing to wait for after all.
 */
public final class FinishWaiter {

    private final Map<String, CompletableFuture<Void>> futures;
    private final BiConsumer<String, CompletableFuture<Void>> release;

    FinishWaiter(Map<String, CompletableFuture<Void>> futures, BiConsumer<String, CompletableFuture<Void>> release) {
        this.futures = futures;
        this.release = release;
    }

    /** Completes when every job in {@code pending} has finished, or after {@code timeout}, whichever is first. */
    public CompletableFuture<Void> until(Collection<String> pending, Duration timeout) {
        return CompletableFuture.allOf(pending.stream().map(futures::get).toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((done, error) -> cancel());
    }

    /** Releases the registrations without waiting. */
    public void cancel() {
        futures.forEach(release);
    }
}
