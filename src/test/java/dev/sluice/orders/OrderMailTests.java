package dev.sluice.orders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.IntegrationTest;

/** The order example's shipping e-mail, posted to a configured mail endpoint (a real server on loopback). */
@TestPropertySource(properties = {"sluice.orders.payment=20ms", "sluice.orders.picking=20ms",
        "sluice.orders.shipping=20ms", "sluice.orders.delivery=20ms"})
class OrderMailTests extends IntegrationTest {

    private static final HttpServer MAILER;
    private static final List<String> RECEIVED = new CopyOnWriteArrayList<>();

    static {
        try {
            MAILER = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        MAILER.createContext("/mail", exchange -> {
            RECEIVED.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        MAILER.start();
    }

    @DynamicPropertySource
    static void mailer(DynamicPropertyRegistry registry) {
        registry.add("sluice.http.allowed-targets[0]", () -> "http://127.0.0.1:" + MAILER.getAddress().getPort());
        registry.add("sluice.orders.mail-endpoint", () -> "http://127.0.0.1:" + MAILER.getAddress().getPort() + "/mail");
    }

    @AfterAll
    static void stop() {
        MAILER.stop(0);
    }

    @Test
    void theShippingMailIsPostedToTheMailEndpointAndKeptInTheOutbox() {
        String id = api.post("/api/orders", "{\"customer\":{\"name\":\"Ada\",\"email\":\"ada@example.com\"},"
                + "\"items\":[{\"sku\":\"BOOK-42\",\"quantity\":1,\"unitPrice\":12.50}],\"shipping\":\"express\"}")
                .json().get("id").asString();
        JsonNode order = await().atMost(Duration.ofSeconds(20)).until(() -> api.get("/api/orders/" + id).json(),
                o -> o.get("outbox").size() == 1);

        assertThat(RECEIVED).hasSize(1);
        JsonNode mail = JsonMapper.builder().build().readTree(RECEIVED.get(0));
        assertThat(mail.get("to").asString()).isEqualTo("ada@example.com");
        assertThat(mail.get("subject").asString()).contains(id);
        assertThat(order.get("outbox").get(0).get("postedTo").asString()).endsWith("/mail");
    }
}
