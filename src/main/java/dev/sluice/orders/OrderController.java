package dev.sluice.orders;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.jobs.Idempotency;
import dev.sluice.security.Caller;
import dev.sluice.web.Problems;

/** The shop checkout example: an order is accepted at once and fulfilled in the background. */
@RestController
@RequestMapping("/api/orders")
@Tag(name = "orders", description = "The checkout example: place an order, follow it to delivery")
class OrderController {

    private final Orders orders;
    private final JsonMapper json;

    OrderController(Orders orders, JsonMapper json) {
        this.orders = orders;
        this.json = json;
    }

    @PostMapping
    @Operation(summary = "Place an order", description = "Answers at once; payment, picking, shipping and delivery "
            + "follow as jobs (express orders at high priority), with a notification e-mail when it ships.")
    @ApiResponse(responseCode = "202", description = "accepted; Location names the order")
    @ApiResponse(responseCode = "200", description = "replay of the same Idempotency-Key and body: the original order")
    @ApiResponse(responseCode = "400", description = "invalid order (empty items, bad e-mail, negative price...)")
    ResponseEntity<OrderView> place(@Valid @RequestBody OrderRequest request,
            @RequestHeader(name = Idempotency.HEADER, required = false) String idempotencyKey,
            HttpServletRequest http) {
        Caller caller = Caller.of(http);
        if (request.callback() != null) {
            orders.checkCallback(request.callback());
        }
        Idempotency idempotency = Idempotency.fromHeader(caller.idempotencyScope("orders"), idempotencyKey, request,
                json);
        String id = orders.newId(idempotency, request);
        String placed = orders.place(id, request, idempotency, caller.name());
        ResponseEntity.BodyBuilder response = placed.equals(id) ? ResponseEntity.accepted()
                : ResponseEntity.ok().header(Idempotency.REPLAYED_HEADER, "true");
        return response.location(URI.create("/api/orders/" + placed)).body(view(placed, caller));
    }

    @GetMapping("/{id}")
    @Operation(summary = "An order: state, items, total, timeline and outbox")
    @ApiResponse(responseCode = "200", description = "the order", content = @io.swagger.v3.oas.annotations.media.Content(
            mediaType = "application/json", schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = OrderView.class)))
    @ApiResponse(responseCode = "404", description = "no such order")
    OrderView get(@PathVariable String id, HttpServletRequest http) {
        return view(id, Caller.of(http));
    }

    @GetMapping
    @Operation(summary = "A customer's orders, oldest first")
    List<OrderView> ofCustomer(@Parameter(description = "the customer's e-mail", example = "ada@example.com")
            @RequestParam String customer, HttpServletRequest http) {
        Caller caller = Caller.of(http);
        return orders.ofCustomer(customer).stream().map(id -> viewIfPresent(id, caller)).filter(v -> v != null)
                .toList();
    }

    /**
     * @param state    accepted, paid, picked, shipped or delivered
     * @param timeline what happened when, failed attempts included
     * @param outbox   the e-mails sent about the order
     */
    record OrderView(String id, JsonNode customer, JsonNode items, BigDecimal total, String shipping, String state,
            Instant createdAt, List<JsonNode> timeline, List<JsonNode> outbox) {
    }

    private OrderView view(String id, Caller caller) {
        OrderView view = viewIfPresent(id, caller);
        if (view == null) {
            throw new ErrorResponseException(HttpStatus.NOT_FOUND, Problems.ORDER_NOT_FOUND.detail(
                    "No order with id " + id + " (it never existed, or its record expired)"), null);
        }
        return view;
    }

    /** The order if it exists and the caller may read it (another producer's order is "not found"). */
    private OrderView viewIfPresent(String id, Caller caller) {
        Map<String, String> order = orders.read(id);
        if (order.isEmpty() || !caller.mayRead(order.get("owner"))) {
            return null;
        }
        return new OrderView(id, json.readTree(order.get("customer")), json.readTree(order.get("items")),
                new BigDecimal(order.get("total")), order.get("shipping"), order.get("state"),
                Instant.parse(order.get("createdAt")), orders.timeline(id), orders.outbox(id));
    }
}
