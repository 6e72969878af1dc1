package dev.sluice.orders;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import jakarta.validation.constraints.NotBlank;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;
import dev.sluice.jobs.PermanentJobFailure;

/**
 * Renders the "your order has shipped" e-mail and records it in the order's outbox (there is no mail
 * server: the outbox is what a mailer would send). The job id makes it idempotent.
 */
@Component
class EmailJob implements JobHandler<EmailJob.Payload> {

    record Payload(@NotBlank String orderId) {
    }

    private final Orders orders;
    private final JsonMapper json;
    private final Clock clock;
    private final dev.sluice.outbound.HttpCaller http;
    private final String endpoint;

    EmailJob(Orders orders, JsonMapper json, Clock clock, dev.sluice.outbound.HttpCaller http,
            dev.sluice.config.SluiceProperties properties) {
        this.clock = clock;
        this.http = http;
        this.endpoint = properties.orders().mailEndpoint();
        this.orders = orders;
        this.json = json;
    }

    @Override
    public String type() {
        return "email";
    }

    @Override
    public Class<Payload> payloadType() {
        return Payload.class;
    }

    @Override
    public String description() {
        return "Renders an order's shipping notification and puts it in the order's outbox.";
    }

    @Override
    public Payload example() {
        return new Payload("0190f4a2-0000-7000-8000-000000000000");
    }

    @Override
    public Object handle(Payload payload, JobContext context) throws InterruptedException {
        Map<String, String> order = orders.read(payload.orderId());
        if (order.isEmpty()) {
            throw new PermanentJobFailure("order " + payload.orderId() + " does not exist (any more)");
        }
        if (orders.outbox(payload.orderId()).stream().anyMatch(m -> context.jobId().equals(m.path("jobId").asString()))) {
            return Map.of("sent", "already");
        }
        JsonNode customer = json.readTree(order.get("customer"));
        String name = customer.get("name").asString();
        JsonNode message = json.createObjectNode()
                .put("jobId", context.jobId())
                .put("to", customer.get("email").asString())
                .put("subject", "Your order " + payload.orderId() + " is on its way")
                .put("body", "Hello " + name + ",\n\nyour order " + payload.orderId() + " (total "
                        + order.get("total") + ") has shipped " + order.get("shipping")
                        + ". It will be with you soon.\n\nSluice Shop")
                .put("sentAt", Instant.now(clock).toString());
        if (!endpoint.isEmpty()) {
            // at least once: the receiver deduplicates on Sluice-Job-Id (or the message's jobId)
            http.send(new dev.sluice.outbound.HttpCaller.Call(java.net.URI.create(endpoint), "POST",
                    Map.of("Content-Type", "application/json", "Sluice-Job-Id", context.jobId()),
                    json.writeValueAsString(message).getBytes(java.nio.charset.StandardCharsets.UTF_8), null));
            ((tools.jackson.databind.node.ObjectNode) message).put("postedTo", endpoint);
        }
        orders.sent(payload.orderId(), message);
        orders.note(payload.orderId(), "email", "shipping notification sent to " + customer.get("email").asString());
        return Map.of("to", customer.get("email").asString());
    }
}
