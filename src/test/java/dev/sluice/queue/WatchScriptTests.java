package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** watch.lua — against a real Redis, empty and wrong-state paths included. */
class WatchScriptTests extends ScriptTestSupport {

    @Test
    void watchMarksAndReturnsAJobAndCreatesNothingForAMissingOne() {
        store.enqueue(List.of(job("a", Priority.NORMAL)));

        Job watched = store.watch("a").orElseThrow();

        assertThat(watched.state()).isEqualTo(JobState.QUEUED);
        assertThat(watched.type()).isEqualTo("echo");
        assertThat(redis.opsForHash().get(keys.job("a"), "watched")).isEqualTo("1");
        assertThat(store.watch("missing")).isEmpty();
        assertThat(redis.hasKey(keys.job("missing"))).isFalse();
    }
}
