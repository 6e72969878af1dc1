package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import tools.jackson.databind.JsonNode;

import dev.sluice.support.Api;
import dev.sluice.support.Ledger;
import dev.sluice.support.ServiceProcess;
import dev.sluice.support.TestNode;
import dev.sluice.support.TestRedis;

/**
 * A real service process, started from the packaged jar, is killed with SIGKILL while it runs jobs.
 * A second node must recover every one of them: nothing lost, nothing stuck running, and the dead
 * node's capacity removed.
 */
class KillNineIT {

    private static final int JOBS = 300;
    private final String namespace = "test-" + UUID.randomUUID();
    private ServiceProcess victim;
    private TestNode survivor;
    private int partitions = 1;

    @AfterEach
    void cleanUp() throws InterruptedException {
        if (victim != null) {
            victim.close();
        }
        if (survivor != null) {
            for (dev.sluice.queue.RedisKeys keys : new dev.sluice.queue.Partitions(namespace, partitions).all()) {
                survivor.redis().delete(survivor.redis().keys(keys.everything()));
            }
            survivor.close();
        }
    }

    /** With one partition, and with three: the dead node's leases are then in every partition. */
    @org.junit.jupiter.params.ParameterizedTest(name = "partitions = {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = { 1, 3 })
    void everyJobOfAKilledNodeIsRecoveredByAnother(int partitions) throws InterruptedException {
        this.partitions = partitions;
        String[] fastRecovery = {"sluice.dispatch.lease=2s", "sluice.dispatch.heartbeat=250ms",
                "sluice.dispatch.reaper-interval=250ms", "sluice.partitions=" + partitions};
        victim = ServiceProcess.start(TestRedis.url(), namespace, withPool(fastRecovery, 8));
        Api api = victim.api();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            ids.add(api.submit("{\"type\":\"sleep\",\"priority\":\"" + List.of("high", "normal", "low").get(i % 3)
                    + "\",\"payload\":{\"duration\":\"200ms\"}}"));
        }
        // Kill it mid-drain: every worker busy, some jobs done, most still waiting.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode queues = api.get("/api/queues").json();
            long waiting = queues.get("queues").valueStream().mapToLong(JsonNode::asLong).sum();
            return queues.get("running").asLong() == 8 && waiting <= JOBS - 8 - 40;
        });

        Instant killedAt = Instant.now();
        victim.kill();
        survivor = TestNode.start(TestRedis.url(), namespace, withPool(fastRecovery, 4));
        Api survivorApi = survivor.api();

        await().atMost(Duration.ofSeconds(60)).until(() -> finished(survivorApi, ids) == JOBS);

        int redelivered = Ledger.check(survivorApi, ids);
        List<JsonNode> jobs = ids.stream().map(survivorApi::job).toList();
        assertThat(jobs).allSatisfy(job -> assertThat(job.get("state").asString()).isEqualTo("succeeded"));
        // The jobs in flight at the kill, one per busy worker at most, are the only ones delivered twice.
        List<JsonNode> recovered = jobs.stream().filter(job -> job.get("attempts").asInt() == 2).toList();
        assertThat(recovered).hasSize(redelivered).isNotEmpty();
        assertThat(redelivered).as("only jobs that were in flight run again").isLessThanOrEqualTo(8);
        assertThat(jobs).allSatisfy(job -> assertThat(job.get("attempts").asInt()).isBetween(1, 2));
        assertThat(Ledger.nodeIds(survivorApi)).containsExactly(survivor.id());
        Instant lastRecovered = recovered.stream().map(job -> Instant.parse(job.get("finishedAt").asString()))
                .max(Instant::compareTo).orElseThrow();
        System.out.printf("kill -9 (partitions " + partitions + "): recovery (kill to last recovered job finished) %d ms; %d of %d jobs delivered "
                + "twice (%.1f per 1,000), all of them in flight at the kill%n",
                Duration.between(killedAt, lastRecovered).toMillis(), redelivered, JOBS, redelivered * 1000.0 / JOBS);
    }

    private static String[] withPool(String[] settings, int pool) {
        List<String> all = new ArrayList<>(List.of(settings));
        all.add("sluice.workers.pool-size=" + pool);
        return all.toArray(String[]::new);
    }

    private static long finished(Api api, List<String> ids) {
        return ids.stream().filter(id -> api.state(id).equals("succeeded")).count();
    }
}
