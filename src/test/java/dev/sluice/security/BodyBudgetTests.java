package dev.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sluice.support.RawHttp;
import dev.sluice.support.TestNode;
import dev.sluice.support.TestRedis;

/**
 * The bodies a node holds at once are bounded (sluice.api.max-bodies-in-flight): found when 24
 * concurrent 1 MB batches killed a node with the image's 160 MiB heap (ExitOnOutOfMemoryError). A
 * request that would pass the budget is 503 busy and writes nothing; the budget comes back when a
 * request is answered; a client trickling its body holds only the bytes it has sent.
 */
class BodyBudgetTests {

    private final TestNode node = TestNode.start(TestRedis.url(), "test-" + UUID.randomUUID(),
            "sluice.api.max-body-size=64KB", "sluice.api.max-bodies-in-flight=100KB",
            "sluice.api.body-read-timeout=30s", "server.tomcat.connection-timeout=30s");

    @AfterEach
    void stop() {
        node.redis().delete(node.redis().keys(node.keys().everything()));
        node.close();
    }

    private static String probe(int labelLength) {
        return "{\"type\":\"probe\",\"payload\":{\"label\":\"" + "x".repeat(labelLength) + "\"}}";
    }

    private RawHttp.Response post(String body) {
        return RawHttp.send(node.port(), "POST", "/api/jobs", Map.of(), body);
    }

    @Test
    void aRequestPastTheBudgetIsBusyWritesNothingAndTheBudgetComesBack() throws Exception {
        String first = probe(60_000);
        byte[] firstBytes = first.getBytes(StandardCharsets.UTF_8);
        try (Socket slow = new Socket("127.0.0.1", node.port())) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + firstBytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(firstBytes, 0, 55_000); // and holds the rest back: 54 KiB of the 100 KiB are held
            out.flush();

            // a malformed body of 50 KB fits only while the slow body is not held yet: it is read (400,
            // nothing written) until the server holds the slow one's bytes, then refused as busy
            String malformed = "[" + " ".repeat(50_000);
            await().atMost(Duration.ofSeconds(10)).until(() -> post(malformed).status() == 503);

            RawHttp.Response refused = post(probe(60_000));
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.isProblem()).isTrue();
            assertThat(refused.json().get("type").asString()).isEqualTo("/problems/busy");
            assertThat(refused.json().get("outcome").asString()).isEqualTo("not-applied");
            assertThat(refused.headers().get("retry-after")).isEqualTo("1");
            // small requests still fit
            assertThat(post(probe(10)).status()).isEqualTo(202);

            out.write(firstBytes, 55_000, firstBytes.length - 55_000);
            out.flush();
            assertThat(RawHttp.read(slow.getInputStream()).status()).isEqualTo(202);
        }
        // every byte came back: the large request that was refused now fits
        assertThat(post(probe(60_000)).status()).isEqualTo(202);
        assertThat(post(malformed40k()).status()).isEqualTo(400);
        // the refused request wrote nothing: three jobs ran (the slow one, the small one, the retry)
        await().atMost(Duration.ofSeconds(20)).until(() -> node.probe().totalExecutions() == 3);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            tools.jackson.databind.JsonNode queues = node.api().get("/api/queues").json();
            return queues.get("running").asInt() == 0 && queues.get("queues").valueStream().mapToInt(q -> q.asInt()).sum() == 0;
        });
        assertThat(node.probe().totalExecutions()).isEqualTo(3);
    }

    /**
     * A listing page is counted too: 200 jobs of 800 KB each (a producer can submit them) read in one
     * page killed a node with a 112 MiB heap; now a page larger than the whole budget is refused naming
     * {@code size}, before any of its jobs is read.
     */
    @Test
    void aListingPageLargerThanTheBudgetIsRefusedBeforeItsJobsAreRead() {
        try (TestNode apiOnly = TestNode.start(TestRedis.url(), "test-" + UUID.randomUUID(),
                "sluice.api.max-body-size=64KB", "sluice.api.max-bodies-in-flight=200KB", "sluice.workers.enabled=false")) {
            for (int i = 0; i < 8; i++) {
                assertThat(RawHttp.send(apiOnly.port(), "POST", "/api/jobs", Map.of(), probe(50_000)).status())
                        .isEqualTo(202);
            }
            RawHttp.Response refused = RawHttp.send(apiOnly.port(), "GET", "/api/jobs?state=queued&size=8",
                    Map.of(), null);
            assertThat(refused.status()).as(refused.body()).isEqualTo(400);
            assertThat(refused.json().get("type").asString()).isEqualTo("/problems/invalid-request");
            assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("size");
            RawHttp.Response fits = RawHttp.send(apiOnly.port(), "GET", "/api/jobs?state=queued&size=3", Map.of(), null);
            assertThat(fits.status()).isEqualTo(200);
            assertThat(fits.json().get("items").size()).isEqualTo(3);
            assertThat(fits.json().get("total").asInt()).isEqualTo(8);
            // and the page's reservation came back: the same page again, many times over the budget in sum
            for (int i = 0; i < 10; i++) {
                assertThat(RawHttp.send(apiOnly.port(), "GET", "/api/jobs?state=queued&size=3", Map.of(), null)
                        .status()).isEqualTo(200);
            }
            apiOnly.redis().delete(apiOnly.redis().keys(apiOnly.keys().everything()));
        }
    }

    /**
     * A batch's progress reads its jobs' states only: with 10 jobs of 50 KB it used to read every job
     * whole (half a megabyte; 1,000 http jobs with 256 KB responses would be 256 MB), now a few KB.
     * Measured as Redis's own output bytes around the request.
     */
    @Test
    void aBatchsProgressDoesNotReadItsJobsWhole() {
        try (TestNode apiOnly = TestNode.start(TestRedis.url(), "test-" + UUID.randomUUID(),
                "sluice.workers.enabled=false")) {
            String jobs = String.join(",", java.util.Collections.nCopies(10, probe(50_000)));
            RawHttp.Response accepted = RawHttp.send(apiOnly.port(), "POST", "/api/batches", Map.of(),
                    "{\"jobs\":[" + jobs + "]}");
            assertThat(accepted.status()).isEqualTo(202);
            String id = accepted.json().get("id").asString();
            long before = redisOutputBytes(apiOnly);
            RawHttp.Response progress = RawHttp.send(apiOnly.port(), "GET", "/api/batches/" + id, Map.of(), null);
            long read = redisOutputBytes(apiOnly) - before;
            assertThat(progress.status()).isEqualTo(200);
            assertThat(progress.json().get("states").get("queued").asInt()).isEqualTo(10);
            assertThat(progress.json().get("jobIds").size()).isEqualTo(10);
            assertThat(read).as("bytes Redis sent while the progress was read").isLessThan(100_000);
            apiOnly.redis().delete(apiOnly.redis().keys(apiOnly.keys().everything()));
        }
    }

    private static long redisOutputBytes(TestNode node) {
        java.util.Properties stats = node.redis().execute((org.springframework.data.redis.core.RedisCallback<java.util.Properties>)
                c -> c.serverCommands().info("stats"));
        return Long.parseLong(stats.getProperty("total_net_output_bytes"));
    }

    private static String malformed40k() {
        return "[" + " ".repeat(40_000);
    }
}
