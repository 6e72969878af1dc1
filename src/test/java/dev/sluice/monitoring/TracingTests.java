package dev.sluice.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;
import dev.sluice.support.ProbeJob;

/**
 * Traces across the queue, with the OpenTelemetry SDK's in-memory exporter: the submitting request's
 * trace context is stored with the job; the attempt runs in a span of that trace, its log lines carry
 * the trace id, and an http job's request takes the trace on downstream.
 */
@TestPropertySource(properties = "management.tracing.sampling.probability=1.0")
@Import(TracingTests.Exporter.class)
class TracingTests extends IntegrationTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static HttpServer downstream;
    private static final List<String> received = new CopyOnWriteArrayList<>();

    @TestConfiguration(proxyBeanMethods = false)
    static class Exporter {
        @Bean
        InMemorySpanExporter inMemorySpanExporter() {
            return InMemorySpanExporter.create();
        }
    }

    @Autowired
    InMemorySpanExporter spans;

    @BeforeAll
    static void startDownstream() throws Exception {
        downstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        downstream.createContext("/hook", exchange -> {
            received.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        downstream.start();
    }

    @AfterAll
    static void stopDownstream() {
        downstream.stop(0);
    }

    @DynamicPropertySource
    static void allowDownstream(DynamicPropertyRegistry registry) {
        registry.add("sluice.http.allowed-targets[0]", () -> "http://127.0.0.1");
    }

    @Test
    void anAttemptRunsInASpanOfTheSubmittingRequestsTraceAndItsLogsCarryTheTraceId() {
        Api.Response submitted = api.post("/api/jobs", ProbeJob.json("traced", 0, false, "normal"),
                "traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01");
        String id = submitted.json().get("id").asString();
        assertThat(api.get("/api/jobs/" + id + "?wait=5s").json().get("state").asString()).isEqualTo("succeeded");

        SpanData attempt = await().atMost(Duration.ofSeconds(15)).until(() -> spans.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals("sluice.job probe")).findFirst().orElse(null), span -> span != null);
        assertThat(attempt.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(attempt.getAttributes().asMap().toString()).contains(id);
        String parent = attempt.getParentSpanId();
        assertThat(parent).as("the attempt's parent is a span of the submitting request")
                .isNotEqualTo("0000000000000000");
        await().atMost(Duration.ofSeconds(15)).until(() -> spans.getFinishedSpanItems().stream()
                .anyMatch(span -> span.getSpanId().equals(parent) && span.getTraceId().equals(TRACE_ID)
                        && span.getParentSpanId() != null));
        assertThat(probe.traceIdOf(id)).as("the handler's log lines carry the trace id").isEqualTo(TRACE_ID);
    }

    @Test
    void anHttpJobTakesTheTraceOnToItsTarget() {
        String url = "http://127.0.0.1:" + downstream.getAddress().getPort() + "/hook";
        Api.Response submitted = api.post("/api/jobs", "{\"type\":\"http\",\"payload\":{\"url\":\"" + url
                + "\",\"method\":\"POST\",\"body\":\"{}\"}}", "traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01");
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        String id = submitted.json().get("id").asString();
        await().atMost(Duration.ofSeconds(15)).until(() -> api.state(id).equals("succeeded"));
        assertThat(received).anySatisfy(header -> assertThat(header).startsWith("00-" + TRACE_ID + "-")
                .doesNotContain(CALLER_SPAN));
    }

    @Test
    void aJobSubmittedWithoutASampledTraceStoresNoTraceContext() {
        Api.Response submitted = api.post("/api/jobs", "{\"type\":\"echo\",\"payload\":{}}",
                "traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-00");
        String id = submitted.json().get("id").asString();
        assertThat(redis.opsForHash().get(keys.job(id), "traceparent")).isNull();
    }
}
