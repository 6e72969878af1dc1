package dev.sluice.orders;

import java.util.Map;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

import org.springframework.stereotype.Component;

import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;
import dev.sluice.jobs.PermanentJobFailure;

/**
 * One step of an order's fulfilment (simulated: it takes the configured time). When done it records
 * the step in the timeline and queues the next one; shipping also queues the notification e-mail.
 * A step that runs again after it was done (at-least-once) only makes sure the next step is queued.
 */
@Component
class OrderStepJob implements JobHandler<OrderStepJob.Payload> {

    record Payload(@NotBlank String orderId,
            @NotBlank @Pattern(regexp = "payment|picking|shipping|delivery") String step) {
    }

    static class PaymentDeclined extends RuntimeException {
        PaymentDeclined(String message) {
            super(message);
        }
    }

    private final Orders orders;

    OrderStepJob(Orders orders) {
        this.orders = orders;
    }

    @Override
    public String type() {
        return "order-step";
    }

    @Override
    public Class<Payload> payloadType() {
        return Payload.class;
    }

    @Override
    public String description() {
        return "A step of the order example's fulfilment (payment, picking, shipping, delivery).";
    }

    @Override
    public Payload example() {
        return new Payload("0190f4a2-0000-7000-8000-000000000000", "payment");
    }

    @Override
    public int maxAttempts() {
        return 5;
    }

    @Override
    public Object handle(Payload payload, JobContext context) throws InterruptedException {
        Map<String, String> order = orders.read(payload.orderId());
        if (order.isEmpty()) {
            throw new PermanentJobFailure("order " + payload.orderId() + " does not exist (any more)");
        }
        OrderStep step = OrderStep.valueOf(payload.step().toUpperCase());
        if (!step.doneIn(order.get("state"))) {
            Thread.sleep(orders.duration(step).toMillis());
            if (step == OrderStep.PAYMENT && context.attempt() <= orders.paymentFailures()) {
                String reason = "payment declined on attempt " + context.attempt() + "; will retry";
                orders.note(payload.orderId(), "payment-failed", reason);
                throw new PaymentDeclined(reason);
            }
            orders.advance(payload.orderId(), step.reaches());
            orders.note(payload.orderId(), step.reaches(), step.wire() + " done (attempt " + context.attempt() + ")");
        }
        OrderStep next = step.next();
        if (next != null) {
            orders.submit(payload.orderId(), next, Orders.priority(order.get("shipping")));
        }
        if (step == OrderStep.SHIPPING) {
            orders.queueEmail(payload.orderId());
        }
        return Map.of("order", payload.orderId(), "step", step.wire());
    }
}
