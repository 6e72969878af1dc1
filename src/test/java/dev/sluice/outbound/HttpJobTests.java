package dev.sluice.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

/**
 * The http job type against a real HTTP server on a loopback port inside the test: outcomes by status,
 * Retry-After honoured without using attempts, time-outs retried, per-target concurrency, redirects
 * checked against the allow-list, and credentials that are sent but never stored.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = {"sluice.workers.pool-size=8", "sluice.retry.backoff=200ms",
        "sluice.http.auth.billing.header=Authorization", "sluice.http.auth.billing.value=Bearer s3cret-t0ken"})
class HttpJobTests extends IntegrationTest {

    private static final HttpServer DOWNSTREAM = server();
    private static final HttpServer LIMITED = server();
    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    private static final List<Long> THROTTLED_AT = new CopyOnWriteArrayList<>();
    private static final List<String> AUTHORIZATION = new CopyOnWriteArrayList<>();
    private static final AtomicInteger RUNNING = new AtomicInteger();
    private static final AtomicInteger PEAK = new AtomicInteger();

    static {
        DOWNSTREAM.createContext("/ok", exchange -> {
            AUTHORIZATION.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            answer(exchange, 201, "application/json", "{\"got\":" + (body.isEmpty() ? "null" : body) + ",\"job\":\""
                    + exchange.getRequestHeaders().getFirst("Sluice-Job-Id") + "\"}", Map.of());
        });
        DOWNSTREAM.createContext("/busy", exchange -> {
            THROTTLED_AT.add(System.nanoTime());
            if (CALLS.computeIfAbsent("busy", k -> new AtomicInteger()).incrementAndGet() <= 2) {
                answer(exchange, 503, "text/plain", "come back later", Map.of("Retry-After", "1"));
            } else {
                answer(exchange, 200, "text/plain", "done", Map.of());
            }
        });
        DOWNSTREAM.createContext("/bad", exchange -> {
            CALLS.computeIfAbsent("bad", k -> new AtomicInteger()).incrementAndGet();
            answer(exchange, 400, "application/json", "{\"error\":\"no such customer\"}", Map.of());
        });
        DOWNSTREAM.createContext("/slow-once", exchange -> {
            if (CALLS.computeIfAbsent("slow", k -> new AtomicInteger()).incrementAndGet() == 1) {
                pause(2000);
            }
            answer(exchange, 200, "text/plain", "finally", Map.of());
        });
        DOWNSTREAM.createContext("/away", exchange -> answer(exchange, 302, "text/plain", "",
                Map.of("Location", "http://localhost:" + DOWNSTREAM.getAddress().getPort() + "/ok")));
        LIMITED.createContext("/", exchange -> {
            PEAK.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
            pause(300);
            RUNNING.decrementAndGet();
            answer(exchange, 200, "text/plain", "ok", Map.of());
        });
        DOWNSTREAM.start();
        LIMITED.start();
    }

    @DynamicPropertySource
    static void targets(DynamicPropertyRegistry registry) {
        registry.add("sluice.http.allowed-targets[0]", () -> "http://127.0.0.1");
        registry.add("sluice.http.targets.limited.match", () -> "127.0.0.1:" + LIMITED.getAddress().getPort());
        registry.add("sluice.http.targets.limited.concurrency", () -> "2");
    }

    @AfterAll
    static void stop() {
        DOWNSTREAM.stop(0);
        LIMITED.stop(0);
    }

    @Test
    void aTwoHundredIsTheResultAndTheCredentialIsSentButNeverStoredOrLogged(CapturedOutput output) {
        String id = submit("{\"url\":\"" + url("/ok") + "\",\"body\":{\"order\":42},\"auth\":\"billing\"}");
        JsonNode job = done(id);
        assertThat(job.get("state").asString()).isEqualTo("succeeded");
        JsonNode result = job.get("result");
        assertThat(result.get("status").asInt()).isEqualTo(201);
        assertThat(result.get("body").get("got").get("order").asInt()).isEqualTo(42);
        assertThat(result.get("body").get("job").asString()).isEqualTo(id);
        assertThat(result.get("headers").get("content-type").asString()).isEqualTo("application/json");
        assertThat(AUTHORIZATION).contains("Bearer s3cret-t0ken");
        assertThat(job.toString()).doesNotContain("s3cret");
        assertThat(redis.opsForHash().values(keys.job(id)).toString()).doesNotContain("s3cret");
        assertThat(output.getAll()).doesNotContain("s3cret");
    }

    @Test
    void retryAfterIsHonouredWithoutUsingAttempts() {
        long start = System.nanoTime();
        String id = submit("{\"url\":\"" + url("/busy") + "\"}", ",\"maxAttempts\":1");
        JsonNode job = done(id);
        assertThat(job.get("state").asString()).as(job.toString()).isEqualTo("succeeded");
        assertThat(job.get("attempts").asInt()).as("two throttled answers gave their attempts back").isEqualTo(1);
        assertThat(THROTTLED_AT).hasSize(3);
        assertThat(Duration.ofNanos(THROTTLED_AT.get(2) - THROTTLED_AT.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void anotherFourHundredFailsAtOnceAndATimeoutIsRetried() {
        JsonNode bad = done(submit("{\"url\":\"" + url("/bad") + "\"}"));
        assertThat(bad.get("state").asString()).isEqualTo("failed");
        assertThat(bad.get("error").get("message").asString()).contains("HTTP 400").contains("no such customer");
        assertThat(CALLS.get("bad").get()).isEqualTo(1);

        JsonNode slow = done(submit("{\"url\":\"" + url("/slow-once") + "\",\"timeout\":\"500ms\"}"));
        assertThat(slow.get("state").asString()).isEqualTo("succeeded");
        assertThat(slow.get("attempts").asInt()).isEqualTo(2);
        assertThat(slow.get("result").get("body").asString()).isEqualTo("finally");
    }

    @Test
    void aTargetsConcurrencyIsNeverExceeded() {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(submit("{\"url\":\"http://127.0.0.1:" + LIMITED.getAddress().getPort() + "/x\",\"method\":\"GET\"}"));
        }
        ids.forEach(id -> assertThat(done(id).get("state").asString()).isEqualTo("succeeded"));
        assertThat(PEAK.get()).isEqualTo(2);
    }

    @Test
    void aRedirectToAHostOutsideTheListIsRefused() {
        JsonNode job = done(submit("{\"url\":\"" + url("/away") + "\"}"));
        assertThat(job.get("state").asString()).isEqualTo("failed");
        assertThat(job.get("error").get("message").asString()).contains("redirect").contains("localhost");
    }

    @Test
    void unsafeRequestsAreRefusedAtSubmissionAndNothingIsWritten() {
        java.util.Set<String> before = namespaceKeys();
        Map<String, String> refused = Map.of(
                "{\"url\":\"http://example.com/\"}", "payload.url",
                "{\"url\":\"ftp://127.0.0.1/\"}", "payload.url",
                "{\"url\":\"/relative\"}", "payload.url",
                "{\"url\":\"" + url("/ok") + "\",\"headers\":{\"Authorization\":\"Bearer x\"}}", "payload.headers.Authorization",
                "{\"url\":\"" + url("/ok") + "\",\"headers\":{\"Host\":\"evil\"}}", "payload.headers.Host",
                "{\"url\":\"" + url("/ok") + "\",\"auth\":\"nobody\"}", "payload.auth",
                "{\"url\":\"" + url("/ok") + "\",\"method\":\"TRACE\"}", "payload.method",
                "{\"url\":\"" + url("/ok") + "\",\"timeout\":\"2h\"}", "payload.timeout");
        refused.forEach((payload, field) -> {
            Api.Response response = api.post("/api/jobs", "{\"type\":\"http\",\"payload\":" + payload + "}");
            assertThat(response.status()).as(payload).isEqualTo(400);
            assertThat(response.json().get("errors").valueStream().map(e -> e.get("field").asString()))
                    .as(payload).contains(field);
        });
        Api.Response notAllowed = api.post("/api/jobs", "{\"type\":\"http\",\"payload\":{\"url\":\"http://example.com/\"}}");
        assertThat(notAllowed.json().get("errors").get(0).get("reason").asString()).contains("sluice.http.allowed-targets");
        assertThat(namespaceKeys()).isEqualTo(before);
    }

    private String submit(String payload) {
        return submit(payload, "");
    }

    private String submit(String payload, String extra) {
        return api.submit("{\"type\":\"http\",\"payload\":" + payload + extra + "}");
    }

    private JsonNode done(String id) {
        return api.get("/api/jobs/" + id + "?wait=30s").json();
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + DOWNSTREAM.getAddress().getPort() + path;
    }

    private static HttpServer server() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newFixedThreadPool(16));
            return server;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void answer(HttpExchange exchange, int status, String type, String body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the downstream is slow on purpose; nothing waits on a condition here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
