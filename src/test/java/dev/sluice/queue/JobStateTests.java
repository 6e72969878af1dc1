package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;

import org.junit.jupiter.api.Test;

class JobStateTests {

    @Test
    void finishedStatesAreFinalAndOnlyFailuresAndCancelsCanBeRetried() {
        assertThat(EnumSet.allOf(JobState.class).stream().filter(JobState::isFinal))
                .containsExactlyInAnyOrder(JobState.SUCCEEDED, JobState.FAILED, JobState.DEAD, JobState.CANCELLED);
        assertThat(EnumSet.allOf(JobState.class).stream().filter(JobState::isRetryable))
                .containsExactlyInAnyOrder(JobState.FAILED, JobState.DEAD, JobState.CANCELLED);
    }

    @Test
    void wireNamesAreLowercaseAndRoundTrip() {
        for (JobState state : JobState.values()) {
            assertThat(JobState.fromWire(state.wire())).isEqualTo(state);
            assertThat(state.wire()).isLowerCase();
        }
        for (Priority priority : Priority.values()) {
            assertThat(Priority.fromWire(priority.wire())).isEqualTo(priority);
        }
        assertThatThrownBy(() -> Priority.fromWire("HIGH")).hasMessageContaining("high, normal, low");
    }
}
