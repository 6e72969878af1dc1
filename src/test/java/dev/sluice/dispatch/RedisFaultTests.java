package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sluice.support.Api;
import dev.sluice.support.ProbeJob;
import dev.sluice.support.TestNode;
import dev.sluice.support.TestRedis;

/** What Redis can do to a node besides going away: empty itself, evict, answer too late. */
class RedisFaultTests {

    private final TestRedis.EmbeddedServer server = TestRedis.EmbeddedServer.start(false);
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(TestNode::close);
        server.stop();
    }

    private TestNode start(String... settings) {
        List<String> all = new ArrayList<>(List.of("sluice.workers.pool-size=2", "sluice.dispatch.heartbeat=300ms",
                "sluice.dispatch.lease=5s"));
        all.addAll(List.of(settings));
        TestNode node = TestNode.start(server.url(), "test-" + UUID.randomUUID(), all.toArray(String[]::new));
        nodes.add(node);
        return node;
    }

    @Test
    void aRedisThatComesBackEmptyIsNoticedLoggedAndCounted() {
        TestNode node = start();
        Api api = node.api();
        String before = api.submit(ProbeJob.json("before", 0, false, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(before).equals("succeeded"));

        server.stop();
        server.start(); // no persistence: every key is gone

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> counter(node, "sluice.redis.data.lost") >= 1);
        assertThat(api.get("/actuator/health").json().get("components").get("dispatcher").get("details")
                .get("redisDataLost").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(api.get("/api/jobs/" + before).status()).isEqualTo(404);
        String after = api.submit(ProbeJob.json("after", 0, false, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(after).equals("succeeded"));
    }

    @Test
    void aRedisThatMayEvictKeysIsRefusedAtStartUpUnlessToldToWarn() throws Exception {
        command("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");

        assertThatThrownBy(this::start).hasStackTraceContaining("maxmemory-policy is 'allkeys-lru'");

        TestNode warned = start("sluice.redis.eviction-policy=warn");
        Api api = warned.api();
        // a queued job whose record was evicted: dropped at the claim, counted and logged
        String gate = api.submit(ProbeJob.json("gate", 0, true, "normal"));
        String gate2 = api.submit(ProbeJob.json("gate2", 0, true, "normal"));
        await().atMost(Duration.ofSeconds(10)).until(() -> warned.probe().running() == 2);
        String evicted = api.submit(ProbeJob.json("evicted", 0, false, "normal"));
        warned.redis().delete(warned.keys().job(evicted));
        warned.probe().open();
        await().atMost(Duration.ofSeconds(10)).until(() -> counter(warned, "sluice.jobs.lost") == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(gate).equals("succeeded")
                && api.state(gate2).equals("succeeded"));
    }

    @Test
    void aSubmissionWhoseReplyTimedOutSaysItsOutcomeIsUnknownAndTheIdempotencyKeyTellsTheTruth() throws Exception {
        TestNode node = start("spring.data.redis.timeout=300ms");
        Api api = node.api();
        String body = ProbeJob.json("maybe", 0, false, "normal");
        api.submit(ProbeJob.json("warm-up", 0, false, "normal")); // the enqueue script is loaded in Redis
        CompletableFuture<Void> paused = CompletableFuture.runAsync(() -> {
            try {
                command("CLIENT", "PAUSE", "1500");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        paused.join();

        Api.Response during = api.post("/api/jobs", body, "Idempotency-Key", "k-1");
        assertThat(during.status()).isEqualTo(503);
        assertThat(during.json().get("outcome").asString()).isEqualTo("unknown");

        // once Redis answers again: the command had run, and the same key finds the job it made
        await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/actuator/health/readiness").status() == 200);
        Api.Response replay = api.post("/api/jobs", body, "Idempotency-Key", "k-1");
        assertThat(replay.status()).as("a replay: the timed-out submission was written: " + replay.body()).isEqualTo(200);
        assertThat(replay.json().get("state").asString()).isIn("queued", "running", "succeeded");
    }

    private static double counter(TestNode node, String name) {
        var counter = node.meters().find(name).functionCounter();
        return counter == null ? 0 : counter.count();
    }

    /** Sends one command to the test's own Redis and returns the first line of its answer. */
    private String command(String... words) throws Exception {
        StringBuilder resp = new StringBuilder("*" + words.length + "\r\n");
        for (String word : words) {
            resp.append('$').append(word.length()).append("\r\n").append(word).append("\r\n");
        }
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(resp.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] line = new byte[64];
            int n = socket.getInputStream().read(line);
            String answer = new String(line, 0, Math.max(n, 0), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("+OK");
            return answer;
        }
    }
}
