package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sluice.support.Api;
import dev.sluice.support.Ledger;
import dev.sluice.support.ProbeJob;
import dev.sluice.support.TestNode;
import dev.sluice.support.TestRedis;

/**
 * Redis stalls for longer than the command time-out ({@code CLIENT PAUSE}) while jobs and orders
 * arrive: commands time out on the shared connection, and the node must carry on afterwards, not
 * wedge. Once a stalled transaction left MULTI open on the connection: orders answered 500, the
 * dispatcher read QUEUED replies for ever, and the node was reaped and never rejoined.
 */
class RedisStallTests {

    private static final String ORDER = """
            {"customer":{"name":"Ada","email":"ada-%d@example.com"},
             "items":[{"sku":"B-1","quantity":1,"unitPrice":1}],"shipping":"standard"}""";

    private final TestRedis.EmbeddedServer server = TestRedis.EmbeddedServer.start(false);
    private TestNode node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        server.stop();
    }

    @Test
    void stallsLongerThanTheCommandTimeoutLoseNothingAndTheNodeCarriesOn() throws Exception {
        node = TestNode.start(server.url(), "test-" + UUID.randomUUID(), "sluice.workers.pool-size=4",
                "sluice.dispatch.heartbeat=500ms", "sluice.dispatch.lease=5s", "spring.data.redis.timeout=400ms",
                "sluice.orders.payment=10ms", "sluice.orders.picking=10ms", "sluice.orders.shipping=10ms",
                "sluice.orders.delivery=10ms");
        Api api = node.api();
        ConcurrentLinkedQueue<String> jobs = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> orders = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicBoolean loading = new AtomicBoolean(true);
        Thread load = new Thread(() -> {
            long end = System.nanoTime() + Duration.ofSeconds(12).toNanos();
            for (int i = 0; i < 2000 && loading.get() && System.nanoTime() < end; i++) {
                boolean order = i % 3 == 0;
                Api.Response response = order ? api.post("/api/orders", ORDER.formatted(i))
                        : api.post("/api/jobs", ProbeJob.json("j" + i, 20, false, "normal"));
                if (response.status() == 202) {
                    (order ? orders : jobs).add(response.json().get("id").asString());
                } else if (response.status() == 503) {
                    unavailable.incrementAndGet();
                } else {
                    errors.add(response.status() + " " + response.body());
                }
            }
        }, "stall-load");
        load.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> jobs.size() > 20);
        for (int i = 0; i < 3; i++) {
            pause(Duration.ofMillis(1500));
            int before = jobs.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> jobs.size() > before + 10);
        }
        loading.set(false);
        load.join(Duration.ofSeconds(30).toMillis());

        assertThat(errors).as("answers other than 202 or 503 during stalls").isEmpty();
        List<String> accepted = List.copyOf(jobs);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> accepted.stream().allMatch(id -> api.state(id).equals("succeeded")));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> orders.stream()
                .allMatch(id -> api.get("/api/orders/" + id).json().get("state").asString().equals("delivered")));
        int redelivered = Ledger.check(api, accepted);
        org.slf4j.LoggerFactory.getLogger(RedisStallTests.class).info("Stalls: {} jobs and {} orders accepted, {} "
                + "answered 503, 0 lost, {} delivered more than once", accepted.size(), orders.size(), unavailable.get(),
                redelivered);
        assertThat(Ledger.nodeIds(api)).as("the node kept its registration").containsExactly(node.id());
        await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/actuator/health/readiness").status() == 200);
        // nothing was left half-sent on the shared connection: new work still flows
        String after = api.submit(ProbeJob.json("after", 0, false, "high"));
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(after).equals("succeeded"));
    }

    /** Stops Redis from answering any client for {@code how} long. */
    private void pause(Duration how) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            String millis = Long.toString(how.toMillis());
            out.write(("*3\r\n$6\r\nCLIENT\r\n$5\r\nPAUSE\r\n$" + millis.length() + "\r\n" + millis + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(new String(socket.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");
        }
    }
}
