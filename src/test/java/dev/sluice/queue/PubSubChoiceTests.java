package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Which pub/sub a deployment uses ({@code sluice.redis.pubsub}); the cluster tests check it on real servers. */
class PubSubChoiceTests {

    @Test
    void autoIsShardedOnlyOnARedis7Cluster() {
        assertThat(QueueConfiguration.sharded("auto", true, () -> "7.0.15")).isTrue();
        assertThat(QueueConfiguration.sharded("auto", true, () -> "6.2.11")).isFalse();
        // versions unreadable at start-up: Redis 7 is assumed (and logged)
        assertThat(QueueConfiguration.sharded("auto", true, () -> null)).isTrue();
        assertThat(QueueConfiguration.sharded("auto", true, () -> { throw new IllegalStateException("down"); })).isTrue();
    }

    @Test
    void oneRedisIsAlwaysClassicAndNeverAsked() {
        AtomicInteger asked = new AtomicInteger();
        assertThat(QueueConfiguration.sharded("auto", false, () -> { asked.incrementAndGet(); return "7.2.0"; })).isFalse();
        assertThat(QueueConfiguration.sharded("classic", true, () -> { asked.incrementAndGet(); return "7.2.0"; })).isFalse();
        assertThat(asked).hasValue(0);
    }

    @Test
    void shardedIsTakenAsToldOnAClusterAndRefusedWithout() {
        assertThat(QueueConfiguration.sharded("sharded", true, () -> "6.2.0")).isTrue();
        assertThatThrownBy(() -> QueueConfiguration.sharded("sharded", false, () -> "7.0.0"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs a Redis Cluster");
    }

    @Test
    void theShardedScriptsPublishWithSpublish() {
        assertThat(LuaScripts.SHARDED.enqueue.getScriptAsString()).contains("local PUBLISH = 'SPUBLISH'")
                .doesNotContain("redis.call('PUBLISH'");
        assertThat(LuaScripts.CLASSIC.enqueue.getScriptAsString()).contains("local PUBLISH = 'PUBLISH'");
        assertThat(LuaScripts.SHARDED.claim.getSha1()).isNotEqualTo(LuaScripts.CLASSIC.claim.getSha1());
    }
}
