package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RetryPolicyTests {

    @Test
    void backOffDoublesPerAttemptUpToTheCap() {
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), 0, () -> 0.5);

        assertThat(policy.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.backoff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.backoff(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(policy.backoff(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.backoff(1000)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void jitterSpreadsEachDelayEitherWayByAtMostItsShare() {
        assertThat(new RetryPolicy(Duration.ofSeconds(10), Duration.ofHours(1), 0.2, () -> 0.0).backoff(1))
                .isEqualTo(Duration.ofSeconds(8));
        assertThat(new RetryPolicy(Duration.ofSeconds(10), Duration.ofHours(1), 0.2, () -> 0.9999999).backoff(1))
                .isEqualTo(Duration.ofSeconds(12));
        assertThat(new RetryPolicy(Duration.ofSeconds(10), Duration.ofHours(1), 0.2, () -> 0.5).backoff(1))
                .isEqualTo(Duration.ofSeconds(10));
    }
}
