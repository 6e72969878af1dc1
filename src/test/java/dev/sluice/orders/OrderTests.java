package dev.sluice.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

@TestPropertySource(properties = {"sluice.orders.payment=20ms", "sluice.orders.picking=20ms",
        "sluice.orders.shipping=20ms", "sluice.orders.delivery=20ms", "sluice.orders.payment-failures=1",
        "sluice.retry.backoff=50ms"})
class OrderTests extends IntegrationTest {

    private static String order(String email, String shipping) {
        return "{\"customer\":{\"name\":\"Ada Lovelace\",\"email\":\"" + email + "\"},"
                + "\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":2,\"unitPrice\":12.50},"
                + "{\"sku\":\"MUG-7\",\"quantity\":1,\"unitPrice\":8}],\"shipping\":\"" + shipping + "\"}";
    }

    @Test
    void anOrderIsAcceptedAtOnceAndReachesDeliveredWithItsTimelineAndAnEmail() {
        String email = "ada-" + UUID.randomUUID() + "@example.com";
        Api.Response placed = api.post("/api/orders", order(email, "express"));

        assertThat(placed.status()).isEqualTo(202);
        String id = placed.json().get("id").asString();
        assertThat(placed.location()).isEqualTo("/api/orders/" + id);
        assertThat(placed.json().get("state").asString()).isEqualTo("accepted");
        assertThat(placed.json().get("total").decimalValue()).isEqualByComparingTo("33.00");

        JsonNode delivered = await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/orders/" + id).json(),
                o -> o.get("state").asString().equals("delivered") && o.get("outbox").size() == 1);

        List<String> steps = delivered.get("timeline").valueStream().map(e -> e.get("step").asString()).toList();
        assertThat(steps).containsSubsequence("accepted", "payment-failed", "paid", "picked", "shipped", "delivered");
        assertThat(steps).contains("email");
        assertThat(delivered.get("timeline").valueStream()).allSatisfy(e -> assertThat(e.get("at").asString()).isNotBlank());
        JsonNode mail = delivered.get("outbox").get(0);
        assertThat(mail.get("to").asString()).isEqualTo(email);
        assertThat(mail.get("subject").asString()).contains(id);
        assertThat(mail.get("body").asString()).contains("Ada Lovelace").contains("33.00");
    }

    @Test
    void expressStepsRunAtHighPriorityAndStandardAtNormalAndTheEmailAtLow() {
        String express = api.post("/api/orders", order("e-" + UUID.randomUUID() + "@example.com", "express"))
                .json().get("id").asString();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api.get("/api/orders/" + express).json().get("outbox").size() == 1);

        Set<String> jobKeys = redis.keys(keys.job("*"));
        jobKeys.removeIf(key -> !String.valueOf(redis.opsForHash().get(key, "payload")).contains(express));
        assertThat(jobKeys).hasSize(5);
        assertThat(jobKeys).allSatisfy(key -> {
            String type = (String) redis.opsForHash().get(key, "type");
            String priority = (String) redis.opsForHash().get(key, "priority");
            assertThat(priority).isEqualTo("email".equals(type) ? "low" : "high");
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"customer\":{\"name\":\"A\",\"email\":\"a@example.com\"},\"items\":[],\"shipping\":\"standard\"}|items",
            "{\"customer\":{\"name\":\"A\",\"email\":\"not-an-email\"},\"items\":[{\"sku\":\"X\",\"quantity\":1,\"unitPrice\":1}],\"shipping\":\"standard\"}|customer.email",
            "{\"customer\":{\"name\":\"A\",\"email\":\"a@example.com\"},\"items\":[{\"sku\":\"X\",\"quantity\":1,\"unitPrice\":-1}],\"shipping\":\"standard\"}|items[0].unitPrice",
            "{\"customer\":{\"name\":\"A\",\"email\":\"a@example.com\"},\"items\":[{\"sku\":\"X\",\"quantity\":0,\"unitPrice\":1}],\"shipping\":\"standard\"}|items[0].quantity",
            "{\"customer\":{\"name\":\"A\",\"email\":\"a@example.com\"},\"items\":[{\"sku\":\"X\",\"quantity\":1,\"unitPrice\":1}],\"shipping\":\"drone\"}|shipping"})
    void anInvalidOrderIsRefusedNamingTheFieldAndWritesNothing(String body, String field) {
        awaitQuiet();
        Set<String> before = namespaceKeys();

        Api.Response refused = api.post("/api/orders", body);

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("errors").valueStream().map(e -> e.get("field").asString())).contains(field);
        assertThat(namespaceKeys()).isEqualTo(before);
    }

    @Test
    void aCustomersOrdersAreListedAndAnUnknownOrderIs404() {
        String email = "grace-" + UUID.randomUUID() + "@example.com";
        String first = api.post("/api/orders", order(email, "standard")).json().get("id").asString();
        String second = api.post("/api/orders", order(email, "express")).json().get("id").asString();

        JsonNode listed = api.get("/api/orders?customer=" + email.toUpperCase()).json();

        assertThat(listed.valueStream().map(o -> o.get("id").asString())).containsExactly(first, second);
        Api.Response missing = api.get("/api/orders/no-such-order");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(missing.json().get("type").asString()).isEqualTo("/problems/order-not-found");
    }

    @Test
    void theSameIdempotencyKeyPlacesOneOrder() {
        String email = "key-" + UUID.randomUUID() + "@example.com";
        String key = UUID.randomUUID().toString();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/orders"))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(order(email, "standard")));

        Api.Response first = api.send(request);
        Api.Response again = api.send(request);

        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
        assertThat(api.get("/api/orders?customer=" + email).json().size()).isEqualTo(1);
    }
}
