package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import org.springframework.data.redis.core.RedisCallback;

import dev.sluice.support.IntegrationTest;

/**
 * The dispatcher's round trips, and listings, travel on the one shared connection: draining jobs and
 * reading pages of them open no new connections. (Pipelining through Spring takes a dedicated connection per call; without a pool that
 * was a new TCP connection every cycle, and cost a third of the throughput.)
 */
class ConnectionUseTests extends IntegrationTest {

    @Test
    void drainingJobsOpensNoConnectionPerCycle() {
        awaitQuiet();
        long before = connectionsReceived();

        StringBuilder batch = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < 400; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"type\":\"noop\"}");
        }
        assertThat(api.post("/api/jobs/batch", batch.append("]}").toString()).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/queues").json().get("queues")
                .valueStream().mapToLong(n -> n.asLong()).sum() == 0);
        awaitQuiet();
        for (int i = 0; i < 30; i++) { // listings read their jobs in one round trip too
            assertThat(api.get("/api/jobs?state=queued").status()).isEqualTo(200);
        }

        assertThat(connectionsReceived() - before).as("connections opened while draining 400 jobs and listing 30 times")
                .isLessThan(10);
    }

    private long connectionsReceived() {
        Properties stats = redis.execute((RedisCallback<Properties>) c -> c.serverCommands().info("stats"));
        return Long.parseLong(stats.getProperty("total_connections_received"));
    }
}
