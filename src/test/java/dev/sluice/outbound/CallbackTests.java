package dev.sluice.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

/**
 * Completion callbacks to a real receiver on a loopback port, which checks every delivery's signature
 * with its own implementation of the Standard Webhooks scheme, fails the first two deliveries of one
 * callback, and records the webhook ids it saw.
 */
@TestPropertySource(properties = {"sluice.retry.backoff=200ms", "sluice.retry.max-backoff=500ms",
        "sluice.orders.payment=20ms", "sluice.orders.picking=20ms", "sluice.orders.shipping=20ms",
        "sluice.orders.delivery=20ms",
        "sluice.callbacks.secret=" + CallbackTests.SECRET})
class CallbackTests extends IntegrationTest {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpServer RECEIVER;
    /** One entry per delivery: its path, webhook-id, whether its signature verified, and its body. */
    private static final List<Map<String, Object>> DELIVERIES = new CopyOnWriteArrayList<>();
    private static final AtomicInteger FLAKY = new AtomicInteger();

    static {
        try {
            RECEIVER = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        RECEIVER.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
            String signature = exchange.getRequestHeaders().getFirst("webhook-signature");
            DELIVERIES.add(Map.of("path", exchange.getRequestURI().getPath(), "id", String.valueOf(id),
                    "verified", verify(id, timestamp, signature, body), "body", body));
            int status = exchange.getRequestURI().getPath().equals("/flaky") && FLAKY.incrementAndGet() <= 2 ? 500 : 204;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        RECEIVER.start();
    }

    @DynamicPropertySource
    static void targets(DynamicPropertyRegistry registry) {
        registry.add("sluice.http.allowed-targets[0]", () -> "http://127.0.0.1:" + RECEIVER.getAddress().getPort());
    }

    @AfterAll
    static void stop() {
        RECEIVER.stop(0);
    }

    /** The receiver's side of the spec, written from it: HMAC-SHA256 over "id.timestamp.body", base64, "v1,". */
    private static boolean verify(String id, String timestamp, String header, String body) {
        try {
            if (id == null || timestamp == null || header == null
                    || Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp)) > 300) {
                return false;
            }
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring(6)), "HmacSHA256"));
            String expected = Base64.getEncoder().encodeToString(
                    mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
            for (String candidate : header.split(" ")) {
                if (candidate.equals("v1," + expected)) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + path;
    }

    private List<Map<String, Object>> deliveriesTo(String path) {
        return DELIVERIES.stream().filter(d -> d.get("path").equals(path)).toList();
    }

    @Test
    void aFinishedJobsCallbackIsSignedAndCarriesTheJob() {
        String id = api.submit("{\"type\":\"add\",\"payload\":{\"x\":2,\"y\":3},\"callback\":{\"url\":\"" + url("/done") + "\"}}");
        await().atMost(Duration.ofSeconds(10)).until(() -> !deliveriesTo("/done").isEmpty());

        Map<String, Object> delivery = deliveriesTo("/done").get(0);
        assertThat(delivery.get("verified")).isEqualTo(true);
        JsonNode body = JSON.readTree((String) delivery.get("body"));
        assertThat(body.get("type").asString()).isEqualTo("job.succeeded");
        assertThat(body.get("data").get("id").asString()).isEqualTo(id);
        assertThat(body.get("data").get("result").asInt()).isEqualTo(5);
        assertThat(body.get("data").get("state").asString()).isEqualTo("succeeded");
        assertThat(deliveriesTo("/done")).hasSize(1);
    }

    @Test
    void aReceiverThatFailsTwiceGetsTheCallbackOnTheThirdTryWithTheSameWebhookId() {
        api.submit("{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1},\"callback\":{\"url\":\"" + url("/flaky") + "\"}}");
        await().atMost(Duration.ofSeconds(20)).until(() -> deliveriesTo("/flaky").size() == 3);

        List<Map<String, Object>> tries = deliveriesTo("/flaky");
        assertThat(tries).extracting(d -> d.get("id")).containsOnly(tries.get(0).get("id"));
        assertThat(tries).extracting(d -> d.get("verified")).containsOnly(true);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> deliveriesTo("/flaky").size() == 3);
    }

    @Test
    void onlyTheChosenEventsAreDeliveredAndACancelIsOne() {
        api.submit("{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":2},\"callback\":{\"url\":\"" + url("/failures-only")
                + "\",\"events\":[\"failed\",\"dead\"]}}");
        String failing = api.submit("{\"type\":\"fail\",\"payload\":{\"message\":\"no\"},\"callback\":{\"url\":\""
                + url("/failures-only") + "\",\"events\":[\"failed\",\"dead\"]}}");
        String scheduled = api.submit("{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":2},\"delay\":\"1h\",\"callback\":{\"url\":\""
                + url("/cancelled") + "\"}}");
        api.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/jobs/" + scheduled))
                .DELETE());

        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesTo("/failures-only").size() == 1
                && deliveriesTo("/cancelled").size() == 1);
        JsonNode failed = JSON.readTree((String) deliveriesTo("/failures-only").get(0).get("body"));
        assertThat(failed.get("type").asString()).isEqualTo("job.failed");
        assertThat(failed.get("data").get("id").asString()).isEqualTo(failing);
        assertThat(JSON.readTree((String) deliveriesTo("/cancelled").get(0).get("body")).get("type").asString())
                .isEqualTo("job.cancelled");
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2))
                .until(() -> deliveriesTo("/failures-only").size() == 1);
    }

    @Test
    void aBatchsCallbackFiresOnceWhenEveryJobHasEnded() {
        Api.Response batch = api.post("/api/batches", "{\"jobs\":[{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1}},"
                + "{\"type\":\"fail\",\"payload\":{\"message\":\"no\"}},{\"type\":\"square\",\"payload\":{\"x\":3,"
                + "\"delay\":\"300ms\"}}],\"callback\":{\"url\":\"" + url("/batch") + "\"}}");
        assertThat(batch.status()).as(batch.body()).isEqualTo(202);
        String id = batch.json().get("id").asString();
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveriesTo("/batch").size() == 1);

        JsonNode body = JSON.readTree((String) deliveriesTo("/batch").get(0).get("body"));
        assertThat(body.get("type").asString()).isEqualTo("batch.finished");
        assertThat(body.get("data").get("id").asString()).isEqualTo(id);
        assertThat(body.get("data").get("total").asInt()).isEqualTo(3);
        assertThat(body.get("data").get("states").get("succeeded").asInt()).isEqualTo(2);
        assertThat(body.get("data").get("states").get("failed").asInt()).isEqualTo(1);
        assertThat(deliveriesTo("/batch").get(0).get("verified")).isEqualTo(true);
        await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2)).until(() -> deliveriesTo("/batch").size() == 1);
    }

    @Test
    void anOrdersCallbackTellsWhenItIsDelivered() {
        Api.Response placed = api.post("/api/orders", "{\"customer\":{\"name\":\"Ada\",\"email\":\"ada@example.com\"},"
                + "\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":1,\"unitPrice\":12.50}],\"shipping\":\"express\","
                + "\"callback\":{\"url\":\"" + url("/order") + "\"}}");
        assertThat(placed.status()).as(placed.body()).isEqualTo(202);
        String id = placed.json().get("id").asString();
        await().atMost(Duration.ofSeconds(15)).until(() -> deliveriesTo("/order").size() == 1);

        JsonNode body = JSON.readTree((String) deliveriesTo("/order").get(0).get("body"));
        assertThat(body.get("type").asString()).isEqualTo("job.succeeded");
        assertThat(body.get("data").get("payload").get("orderId").asString()).isEqualTo(id);
        assertThat(body.get("data").get("payload").get("step").asString()).isEqualTo("delivery");
        assertThat(api.post("/api/orders", "{\"customer\":{\"name\":\"Ada\",\"email\":\"ada@example.com\"},"
                + "\"items\":[{\"sku\":\"B\",\"quantity\":1,\"unitPrice\":1}],\"shipping\":\"express\","
                + "\"callback\":{\"url\":\"http://10.0.0.1/x\"}}").status()).isEqualTo(400);
    }

    @Test
    void aCallbackToATargetOutsideTheListOrWithUnknownEventsIsRefused() {
        java.util.Set<String> before = namespaceKeys();
        Api.Response outside = api.post("/api/jobs", "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":2},"
                + "\"callback\":{\"url\":\"http://169.254.169.254/latest\"}}");
        assertThat(outside.status()).isEqualTo(400);
        assertThat(outside.json().get("errors").get(0).get("field").asString()).isEqualTo("callback.url");
        Api.Response events = api.post("/api/jobs", "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":2},"
                + "\"callback\":{\"url\":\"" + url("/x") + "\",\"events\":[\"finished\"]}}");
        assertThat(events.status()).isEqualTo(400);
        assertThat(events.json().get("errors").get(0).get("field").asString()).isEqualTo("callback.events[0]");
        Api.Response direct = api.post("/api/jobs", "{\"type\":\"callback\",\"payload\":{\"jobId\":\"x\",\"url\":\""
                + url("/x") + "\",\"event\":\"succeeded\",\"webhookId\":\"msg_x\"}}");
        assertThat(direct.status()).isEqualTo(400);
        assertThat(namespaceKeys()).isEqualTo(before);
    }
}
