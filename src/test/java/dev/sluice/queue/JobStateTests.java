package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JobStateTests {

    @Test
    void onlyFinishedStatesAreFinal() {
        assertThat(JobState.QUEUED.isFinal()).isFalse();
        assertThat(JobState.RUNNING.isFinal()).isFalse();
        assertThat(JobState.SUCCEEDED.isFinal()).isTrue();
        assertThat(JobState.FAILED.isFinal()).isTrue();
    }

    @Test
    void aJobRunsBeforeItFinishes() {
        assertThat(JobState.QUEUED.next()).containsExactly(JobState.RUNNING);
        assertThat(JobState.RUNNING.next()).containsExactlyInAnyOrder(JobState.SUCCEEDED, JobState.FAILED);
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
