package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sluice.queue.ClaimedJob;
import dev.sluice.queue.Outcome;

/** The pool hands back an outcome, and with it the worker's token, on every path. */
class WorkerPoolTests {

    private WorkerPool pool;

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aRunnerThatThrowsStillGivesItsTokenBack() {
        pool = new WorkerPool(1, (job, execution) -> {
            throw new IllegalStateException("an observer failed");
        });
        ConcurrentLinkedQueue<Outcome> done = new ConcurrentLinkedQueue<>();

        pool.run(new ClaimedJob("a", "w1", "echo", "{}", 1, Duration.ofSeconds(5)), done::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 1);
        Outcome outcome = done.peek();
        assertThat(outcome.token()).isEqualTo("w1");
        assertThat(outcome.kind()).isEqualTo(Outcome.Kind.FAILED);
        assertThat(outcome.errorType()).isEqualTo("WorkerError");
    }

    @Test
    void aCancelReachesTheRunningJob() {
        pool = new WorkerPool(1, (job, execution) -> {
            try {
                new CountDownLatch(1).await(); // a handler that works until it is interrupted
                return Outcome.succeeded(job, "never");
            } catch (InterruptedException e) {
                return Outcome.cancelled(job);
            }
        });
        ConcurrentLinkedQueue<Outcome> done = new ConcurrentLinkedQueue<>();
        pool.run(new ClaimedJob("a", "w1", "sleep", "{}", 1, Duration.ofMinutes(5)), done::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> pool.cancel("a"));

        await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 1);
        assertThat(done.peek().kind()).isEqualTo(Outcome.Kind.CANCELLED);
    }
}
