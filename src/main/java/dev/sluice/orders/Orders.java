package dev.sluice.orders;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;
import dev.sluice.jobs.Idempotency;
import dev.sluice.jobs.JobRequest;
import dev.sluice.jobs.JobSubmitter;
import dev.sluice.queue.Enqueue;
import dev.sluice.queue.Priority;
import dev.sluice.queue.Records;

/**
 * The order example's state: an order record, its timeline and its outbox, and the jobs that move it
 * along. Every job is submitted with an idempotency key ({@code <order id>:<step>}), so a step that
 * runs twice (delivery is at-least-once) never starts the next one twice.
 */
@Component
class Orders {

    static final String KIND = "order";
    static final String BY_CUSTOMER = "customer";
    static final String TIMELINE = "timeline";
    static final String OUTBOX = "outbox";

    private final Records records;
    private final JobSubmitter submitter;
    private final JsonMapper json;
    private final SluiceProperties.Orders settings;
    private final Clock clock;
    private final org.springframework.beans.factory.ObjectProvider<dev.sluice.jobs.Callback.Policy> callbacks;

    /** The submitter is lazy: it needs every job handler, and two of those need this class. */
    Orders(Records records, @Lazy JobSubmitter submitter, JsonMapper json, SluiceProperties properties, Clock clock,
            org.springframework.beans.factory.ObjectProvider<dev.sluice.jobs.Callback.Policy> callbacks) {
        this.callbacks = callbacks;
        this.records = records;
        this.clock = clock;
        this.submitter = submitter;
        this.json = json;
        this.settings = properties.orders();
    }

    /**
     * Records the order and queues its first step, in one script call: no order exists without its
     * first job, nor the job without its order, whatever fails (a full queue, Redis gone, a crash, a
     * replayed or conflicting Idempotency-Key).
     *
     * @return the id of the order placed, or, for a replayed Idempotency-Key, of the original order
     */
    /**
     * A new order's id: in the partition its first step's submission goes to (by its Idempotency-Key,
     * else by its customer), so the order, its index entry and its first job are written together.
     */
    String newId(Idempotency idempotency, OrderRequest request) {
        return submitter.newId(idempotency, request.customer().email().toLowerCase());
    }

    String place(String id, OrderRequest request, Idempotency idempotency, String owner) {
        String customer = request.customer().email().toLowerCase();
        Instant now = Instant.now(clock);
        Map<String, String> fields = new java.util.HashMap<>(Map.of(
                "customer", json.writeValueAsString(request.customer()),
                "items", json.writeValueAsString(request.items()),
                "total", request.total().toPlainString(),
                "shipping", request.shipping(),
                "state", "accepted",
                "createdAt", now.toString()));
        if (owner != null) {
            fields.put("owner", owner);
        }
        if (request.callback() != null) {
            fields.put("callback", json.writeValueAsString(request.callback()));
        }
        Enqueue.Record order = records.attach(KIND, id, fields, BY_CUSTOMER, customer, settings.retention(), TIMELINE,
                json.writeValueAsString(Map.of("step", "accepted", "at", now.toString(), "note", "order received")));
        JobSubmitter.Submitted first = submitter.submit(stepRequest(id, OrderStep.PAYMENT, priority(request.shipping()),
                fields.get("callback")), idempotency != null ? idempotency
                : new Idempotency("orders", id + ":" + OrderStep.PAYMENT.wire(), OrderStep.PAYMENT.wire()), id, order);
        return first.replayed() ? first.replayedId() : id;
    }

    private ObjectNode stepPayload(String orderId, OrderStep step) {
        return json.createObjectNode().put("orderId", orderId).put("step", step.wire());
    }

    /**
     * A step's job. With an order callback, every step carries it for the bad ends (failed, dead,
     * cancelled) the order asked for, and the last step (delivery) for success too.
     */
    private JobRequest stepRequest(String orderId, OrderStep step, Priority priority, String callbackJson) {
        dev.sluice.jobs.Callback callback = null;
        if (callbackJson != null) {
            OrderRequest.OrderCallback asked = json.readValue(callbackJson, OrderRequest.OrderCallback.class);
            java.util.Set<String> events = new java.util.HashSet<>(asked.events() == null || asked.events().isEmpty()
                    ? dev.sluice.jobs.Callback.EVENTS : asked.events());
            if (step.next() != null) {
                events.remove("succeeded");
            }
            callback = events.isEmpty() ? null : new dev.sluice.jobs.Callback(asked.url(), java.util.Set.copyOf(events));
        }
        return new JobRequest("order-step", stepPayload(orderId, step), priority, null, null, null, null, null, callback);
    }

    /** Refuses (400 naming callback.url) an order callback Sluice may not deliver. */
    void checkCallback(OrderRequest.OrderCallback callback) {
        callbacks.getObject().refusal(new dev.sluice.jobs.Callback(callback.url(), java.util.Set.copyOf(
                callback.events() == null ? dev.sluice.jobs.Callback.EVENTS : callback.events())))
                .ifPresent(reason -> {
                    throw new dev.sluice.jobs.InvalidJobException(dev.sluice.jobs.InvalidJobException.Kind.INVALID_REQUEST,
                            List.of(new dev.sluice.jobs.Violation("callback.url", reason)));
                });
    }

    /** Queues a step job; a second submission of the same step of the same order is a no-op. */
    void submit(String orderId, OrderStep step, Priority priority) {
        submitter.submit(stepRequest(orderId, step, priority, read(orderId).get("callback")),
                new Idempotency("orders", orderId + ":" + step.wire(), step.wire()));
    }

    void queueEmail(String orderId) {
        ObjectNode payload = json.createObjectNode().put("orderId", orderId);
        submitter.submit(JobRequest.of("email", payload, Priority.LOW),
                new Idempotency("orders", orderId + ":email", "email"));
    }

    void note(String orderId, String step, String message) {
        records.append(KIND, orderId, TIMELINE, json.writeValueAsString(
                Map.of("step", step, "at", Instant.now(clock).toString(), "note", message)));
    }

    void advance(String orderId, String state) {
        records.put(KIND, orderId, "state", state);
    }

    Map<String, String> read(String orderId) {
        return records.read(KIND, orderId);
    }

    void sent(String orderId, JsonNode message) {
        records.append(KIND, orderId, OUTBOX, json.writeValueAsString(message));
    }

    List<JsonNode> timeline(String orderId) {
        return records.list(KIND, orderId, TIMELINE).stream().map(json::readTree).toList();
    }

    List<JsonNode> outbox(String orderId) {
        return records.list(KIND, orderId, OUTBOX).stream().map(json::readTree).toList();
    }

    List<String> ofCustomer(String email) {
        List<String> ids = new ArrayList<>(records.indexed(KIND, BY_CUSTOMER, email.toLowerCase()));
        ids.sort(Comparator.naturalOrder()); // ids are time-ordered
        return ids;
    }

    Duration duration(OrderStep step) {
        return switch (step) {
            case PAYMENT -> settings.payment();
            case PICKING -> settings.picking();
            case SHIPPING -> settings.shipping();
            case DELIVERY -> settings.delivery();
        };
    }

    int paymentFailures() {
        return settings.paymentFailures();
    }

    static Priority priority(String shipping) {
        return "express".equals(shipping) ? Priority.HIGH : Priority.NORMAL;
    }
}
