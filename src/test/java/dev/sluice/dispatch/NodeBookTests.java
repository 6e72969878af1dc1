package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.sluice.queue.ClaimedJob;
import dev.sluice.queue.Outcome;

/** The node's book of tokens, deliveries and outcomes: pure logic, no Redis. */
class NodeBookTests {

    private final NodeBook book = new NodeBook(3, Duration.ofSeconds(30));

    private static ClaimedJob job(String id, String token, int attempt, Duration timeout) {
        return new ClaimedJob(id, token, "echo", "{}", attempt, timeout);
    }

    @Test
    void aStartedJobHoldsItsTokenUntilItsOutcomeIsWritten() {
        ClaimedJob a = job("a", "w1", 1, Duration.ofMinutes(1));
        book.started(a, 0);
        assertThat(book.idle()).containsExactlyInAnyOrder("w2", "w3");

        book.finished(Outcome.succeeded(a, "1"));
        book.gather();
        assertThat(book.unwritten()).hasSize(1);
        assertThat(book.claimable()).as("idle tokens and the one the write gives back").isEqualTo(3);
        assertThat(book.idle()).as("not idle before the write").hasSize(2);

        book.written();
        assertThat(book.idle()).containsExactlyInAnyOrder("w1", "w2", "w3");
        assertThat(book.unwritten()).isEmpty();
        assertThat(book.drained()).isTrue();
    }

    @Test
    void leasesAreRenewedUntilTimeoutPlusLeaseThenLeftToLapse() {
        book.started(job("short", "w1", 1, Duration.ofSeconds(1)), 0);
        book.started(job("long", "w2", 1, Duration.ofHours(1)), 0);

        NodeBook.Leases early = book.leases(Duration.ofSeconds(10).toNanos());
        NodeBook.Leases late = book.leases(Duration.ofSeconds(40).toNanos());

        assertThat(early.renew()).containsExactlyInAnyOrder("short", "long");
        assertThat(early.held()).isEmpty();
        assertThat(late.renew()).containsExactly("long");
        assertThat(late.held()).containsExactly("short");
    }

    @Test
    void twoDeliveriesOfOneJobAreKeptApart() {
        ClaimedJob stale = job("a", "w1", 1, Duration.ofMinutes(1));
        ClaimedJob fresh = job("a", "w2", 2, Duration.ofMinutes(1));
        book.started(stale, 0);
        book.started(fresh, 0);

        book.finished(Outcome.succeeded(stale, "old"));
        book.gather();
        book.written();

        assertThat(book.leases(1).renew()).as("the new delivery is still renewed").containsExactly("a");
        assertThat(book.drained()).isFalse();
        assertThat(book.idle()).containsExactlyInAnyOrder("w1", "w3");
    }

    @Test
    void resetReturnsEveryToken() {
        book.started(job("a", "w1", 1, Duration.ofMinutes(1)), 0);
        book.reset();
        assertThat(book.idle()).containsExactly("w1", "w2", "w3");
        assertThat(book.drained()).isTrue();
    }
}
