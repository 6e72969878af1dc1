package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.sluice.config.SluiceProperties;
import dev.sluice.support.TestProperties;
import dev.sluice.support.TestRedis;

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
