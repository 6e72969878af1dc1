package dev.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import dev.sluice.support.IntegrationTest;
import dev.sluice.support.RawHttp;

/**
 * The API as an attacker tries it: every route with every path trick that once slipped past the key
 * check, hostile bodies and headers, slow and oversized requests. Whatever is refused is refused with
 * problem+json carrying a {@code type}, never a 500, and writes nothing.
 */
@TestPropertySource(properties = {
        "sluice.security.api-keys[0].name=shop", "sluice.security.api-keys[0].role=producer",
        "sluice.security.api-keys[0].hash=" + ApiKeyTests.SHOP_HASH,
        "sluice.security.api-keys[1].name=ops", "sluice.security.api-keys[1].role=admin",
        "sluice.security.api-keys[1].hash=" + ApiKeyTests.OPS_HASH,
        "sluice.api.body-read-timeout=1s", "sluice.api.max-event-streams=2"})
class HostileRequestTests extends IntegrationTest {

    private static final String PRODUCER = "shop-key";
    private static final String ADMIN = "ops-key";

    /** What a producer key may call; every other route is an admin's. */
    private static final Set<String> PRODUCER_ROUTES = Set.of("POST /api/jobs", "POST /api/jobs/batch",
            "POST /api/batches", "POST /api/orders", "GET /api/jobs/{id}", "GET /api/jobs/{id}/events",
            "GET /api/batches/{id}", "GET /api/orders/{id}", "GET /api/job-types", "GET /api/job-types/{type}",
            "DELETE /api/jobs/{id}");

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mappings;

    /** Every route the application serves, as "METHOD /pattern", docs and the dashboard left out (public). */
    private Set<String> routes() {
        Set<String> routes = new TreeSet<>();
        mappings.getHandlerMethods().forEach((info, method) -> {
            var methods = info.getMethodsCondition().getMethods();
            for (String pattern : info.getPatternValues()) {
                if (pattern.startsWith("/v3/api-docs") || pattern.startsWith("/swagger-ui")) {
                    continue;
                }
                if (methods.isEmpty()) {
                    routes.add("GET " + pattern);
                } else {
                    methods.forEach(m -> routes.add(m.name() + " " + pattern));
                }
            }
        });
        routes.add("GET /actuator/prometheus");
        routes.add("GET /actuator/metrics");
        routes.add("GET /actuator/env");
        return routes;
    }

    /** The same path written the ways that were read differently by the old key check and by routing. */
    static List<String> bypasses(String path) {
        String first = path.substring(1, path.indexOf('/', 1) < 0 ? path.length() : path.indexOf('/', 1));
        String rest = path.substring(1 + first.length());
        List<String> variants = new ArrayList<>();
        variants.add(path);
        variants.add("/%" + Integer.toHexString(path.charAt(1)) + path.substring(2));
        variants.add("/" + first + ";x" + rest);
        variants.add(path + ";x");
        variants.add("/" + path);
        variants.add(path + "/");
        variants.add("/" + first.toUpperCase() + rest);
        variants.add("/x/..;" + path);
        variants.add("/x/%2e%2e" + path);
        variants.add("/x/../" + path.substring(1));
        variants.add("/" + first + "%2F" + rest.replaceFirst("^/", ""));
        variants.add("/" + first + "%5C" + rest.replaceFirst("^/", ""));
        return variants;
    }

    private static String concrete(String pattern) {
        return pattern.replaceAll("\\{[^}]+}", "0190a5e2-0000-7000-8000-000000000000").replace("/**", "/x");
    }

    @Test
    void noRouteAnswersWithoutAKeyHoweverItsPathIsWritten() {
        Set<String> before = writtenKeys();
        List<String> failures = new ArrayList<>();
        int tried = 0;
        for (String route : routes()) {
            String method = route.substring(0, route.indexOf(' '));
            for (String path : bypasses(concrete(route.substring(route.indexOf(' ') + 1)))) {
                tried++;
                RawHttp.Response response = RawHttp.send(port, method, path, Map.of(),
                        method.equals("GET") || method.equals("DELETE") ? null : "{\"type\":\"noop\"}");
                if (!(response.status() == 401 || response.status() == 400) || !typed(response)) {
                    failures.add(method + " " + path + " -> " + response.status() + " " + response.contentType());
                }
            }
        }
        assertThat(tried).isGreaterThan(250);
        assertThat(failures).as("answered other than 400/401 problem+json without a key").isEmpty();
        assertThat(writtenKeys()).isEqualTo(before);
    }

    @Test
    void aProducerKeyReachesNoAdminRouteHoweverItsPathIsWritten() {
        Set<String> before = writtenKeys();
        List<String> failures = new ArrayList<>();
        for (String route : routes()) {
            if (PRODUCER_ROUTES.contains(route)) {
                continue;
            }
            String method = route.substring(0, route.indexOf(' '));
            for (String path : bypasses(concrete(route.substring(route.indexOf(' ') + 1)))) {
                RawHttp.Response response = RawHttp.send(port, method, path, Map.of("X-API-Key", PRODUCER),
                        method.equals("GET") || method.equals("DELETE") ? null : "{\"type\":\"noop\"}");
                if (!(response.status() == 403 || response.status() == 400) || !typed(response)) {
                    failures.add(method + " " + path + " -> " + response.status());
                }
            }
        }
        assertThat(failures).as("an admin route answered a producer key").isEmpty();
        assertThat(writtenKeys()).isEqualTo(before);
    }

    static final List<String> HOSTILE_JOBS = List.of(
            "{\"type\":\"sleep\",\"payload\":{\"duration\":\"1s\"},\"timeout\":\"25d\"}",
            "{\"type\":\"noop\",\"timeout\":\"200000000000d\"}",
            "{\"type\":\"noop\",\"delay\":\"200000000000d\"}",
            "{\"type\":\"noop\",\"delay\":\"400d\"}",
            "{\"type\":\"noop\",\"runAt\":\"+1000000000-01-01T00:00:00Z\"}",
            "{\"type\":\"noop\",\"runAt\":\"tomorrow\"}",
            "{\"type\":\"noop\",\"timeout\":\"0s\"}",
            "{\"type\":\"noop\",\"timeout\":5}",
            "{\"type\":\"noop\",\"timeout\":\"5\"}",
            "{\"type\":\"noop\",\"maxAttempts\":7.9}",
            "{\"type\":\"noop\",\"maxAttempts\":\"7\"}",
            "{\"type\":\"noop\",\"maxAttempts\":99999999999}",
            "{\"type\":\"noop\",\"run_at\":\"2030-01-01T00:00:00Z\"}",
            "{\"type\":\"noop\",\"prority\":\"high\"}",
            "{\"type\":\"echo\",\"payload\":{\"text\":\"\\ud800\"}}",
            "{\"type\":\"echo\",\"payload\":{\"\\udc00\":1}}",
            "{\"type\":[\"noop\"]}",
            "{\"type\":\"noop\",\"payload\":[1,2]}",
            "{\"type\":\"noop\",\"priority\":1}",
            "{\"type\":\"" + "t".repeat(10_000) + "\"}",
            "[]", "null", "\"noop\"", "42", "{}",
            "{\"type\":\"sleep\",\"payload\":{\"duration\":\"36500d\"},\"timeout\":\"36500d\"}",
            "{\"type\":\"sleep\",\"payload\":{\"duration\":\"200000000000d\"}}");

    static final List<String> HOSTILE_BATCHES = List.of("{\"jobs\":[null]}", "{\"jobs\":[]}", "{\"jobs\":null}",
            "{\"jobs\":{}}", "{\"jobs\":[1,\"x\",[]]}", "{\"jobs\":[{\"type\":\"noop\"}],\"extra\":1}", "[]", "{}");

    static final List<String> HOSTILE_ORDERS = List.of("{\"customer\":null,\"items\":[null],\"shipping\":\"express\"}",
            "{\"customer\":{\"name\":\"\\ud800\",\"email\":\"a@b.c\"},\"items\":[{\"sku\":\"A\",\"quantity\":1,"
                    + "\"unitPrice\":1}],\"shipping\":\"express\"}",
            "{\"customer\":{\"name\":\"A\",\"email\":\"a@b.c\"},\"items\":[{\"sku\":\"A\",\"quantity\":1.5,"
                    + "\"unitPrice\":1}],\"shipping\":\"express\"}",
            "{\"customer\":{\"name\":\"A\",\"email\":\"a@b.c\"},\"items\":[{\"sku\":\"A\",\"quantity\":1,"
                    + "\"unitPrice\":1}],\"shipping\":\"express\",\"coupon\":\"FREE\"}",
            "{\"customer\":{\"name\":1,\"email\":\"a@b.c\"},\"items\":[{\"sku\":\"A\",\"quantity\":1,"
                    + "\"unitPrice\":1}],\"shipping\":\"express\"}");

    @Test
    void hostileBodiesAreRefusedWithATypedProblemAndWriteNothing() {
        Set<String> before = writtenKeys();
        List<String> failures = new ArrayList<>();
        int tried = 0;
        for (String[] target : new String[][] {{"/api/jobs"}, {"/api/jobs/batch"}, {"/api/batches"}, {"/api/orders"}}) {
            String path = target[0];
            List<String> bodies = new ArrayList<>(path.equals("/api/orders") ? HOSTILE_ORDERS
                    : path.equals("/api/jobs") ? HOSTILE_JOBS : HOSTILE_BATCHES);
            if (!path.equals("/api/jobs") && !path.equals("/api/orders")) {
                HOSTILE_JOBS.forEach(job -> bodies.add("{\"jobs\":[{\"type\":\"noop\"}," + job + "]}"));
            }
            for (String body : bodies) {
                tried++;
                RawHttp.Response response = RawHttp.send(port, "POST", path, Map.of("X-API-Key", ADMIN), body);
                if (response.status() != 400 || !typed(response) || !response.json().has("errors")) {
                    failures.add(path + " " + abbreviate(body) + " -> " + response.status() + " " + response.body());
                }
            }
        }
        assertThat(tried).isGreaterThan(80);
        assertThat(failures).as("hostile bodies not refused with 400 problem+json naming fields").isEmpty();
        assertThat(writtenKeys()).isEqualTo(before);
    }

    @Test
    void everyViolationIsReportedAtOnceWithItsPath() {
        RawHttp.Response one = RawHttp.send(port, "POST", "/api/jobs", Map.of("X-API-Key", ADMIN),
                "{\"type\":\"add\",\"priority\":\"urgent\",\"payload\":{\"x\":1},\"timeout\":\"25d\",\"prority\":1}");
        assertThat(one.status()).isEqualTo(400);
        assertThat(fields(one)).containsExactlyInAnyOrder("priority", "payload.y", "timeout", "prority");

        StringBuilder batch = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < 1000; i++) {
            batch.append(i == 0 ? "" : ",").append(i == 10 || i == 500 ? "{\"type\":\"nope\"}"
                    : i == 999 ? "{\"type\":\"add\",\"payload\":{\"x\":1}}" : "{\"type\":\"noop\"}");
        }
        RawHttp.Response many = RawHttp.send(port, "POST", "/api/jobs/batch", Map.of("X-API-Key", ADMIN),
                batch.append("]}").toString());
        assertThat(many.status()).isEqualTo(400);
        assertThat(fields(many)).containsExactlyInAnyOrder("jobs[10].type", "jobs[500].type", "jobs[999].payload.y");
    }

    @Test
    void durationsOverTheirMaximumNameTheSetting() {
        RawHttp.Response response = RawHttp.send(port, "POST", "/api/jobs", Map.of("X-API-Key", ADMIN),
                "{\"type\":\"noop\",\"timeout\":\"25d\",\"delay\":\"400d\"}");
        assertThat(response.json().toString()).contains("sluice.jobs.max-timeout").contains("sluice.jobs.max-delay");
    }

    @Test
    void aStoredTimeoutBeyondAnIntegerNoLongerBreaksReadsAndListings() {
        String id = submit("{\"type\":\"noop\",\"delay\":\"1h\"}");
        redis.opsForHash().put(keys.job(id), "timeoutMs", "2160000000000");

        assertThat(RawHttp.send(port, "GET", "/api/jobs/" + id, Map.of("X-API-Key", ADMIN), null).status())
                .isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", "/api/jobs?state=scheduled", Map.of("X-API-Key", ADMIN), null).status())
                .isEqualTo(200);
    }

    @Test
    void containerAndFrameworkErrorsAreTypedProblemsToo() {
        Map<String, String> admin = Map.of("X-API-Key", ADMIN);
        List<RawHttp.Response> responses = List.of(
                RawHttp.send(port, "GET", "/nothing-here", admin, null),
                RawHttp.send(port, "PUT", "/api/jobs", admin, "{}"),
                RawHttp.send(port, "GET", "/api/queues", Map.of("X-API-Key", ADMIN, "Accept", "text/html"), null),
                RawHttp.send(port, "POST", "/api/jobs", Map.of("X-API-Key", ADMIN, "Content-Type", "text/plain"), null),
                RawHttp.send(port, "GET", "/api/jobs?state=dead&page=abc", admin, null),
                RawHttp.send(port, "GET", "/api/jobs", admin, null),
                RawHttp.send(port, "GET", "/api%2Fjobs", admin, null),
                RawHttp.send(port, "GET", "/api\\jobs", admin, null),
                RawHttp.send(port, "GET", "/api/jobs/%00", admin, null),
                RawHttp.send(port, "GET", "/api/jobs/" + "a".repeat(20_000), admin, null),
                RawHttp.send(port, "GET", "/api/job-types", Map.of("X-API-Key", ADMIN, "X-Big", "b".repeat(20_000)), null),
                RawHttp.send(port, "GET", "/actuator/health/../prometheus", Map.of(), null),
                RawHttp.send(port, "GET", "/actuator/health/%2e%2e/prometheus", Map.of(), null),
                RawHttp.send(port, "GET", "/actuator/health;x/../prometheus", Map.of(), null));
        for (RawHttp.Response response : responses) {
            assertThat(response.status()).as(response.body()).isBetween(400, 499);
            assertThat(typed(response)).as(response.status() + " " + response.contentType() + " " + response.body())
                    .isTrue();
        }
        assertThat(responses.get(4).json().get("errors").get(0).get("field").asString()).isEqualTo("page");
        assertThat(responses.get(5).json().get("errors").get(0).get("field").asString()).isEqualTo("state");
    }

    @Test
    void aRetryOrPurgeInTheWrongStateIsAConflict() {
        String queued = submit("{\"type\":\"noop\",\"delay\":\"1h\"}");
        RawHttp.Response retry = RawHttp.send(port, "POST", "/api/jobs/" + queued + "/retry", Map.of("X-API-Key", ADMIN),
                null);
        assertThat(retry.status()).isEqualTo(409);
        String done = submit("{\"type\":\"noop\"}");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> RawHttp.send(port, "GET",
                "/api/jobs/" + done, Map.of("X-API-Key", ADMIN), null).json().get("state").asString().equals("succeeded"));
        RawHttp.Response purge = RawHttp.send(port, "DELETE", "/api/dead-letters/" + done, Map.of("X-API-Key", ADMIN),
                null);
        assertThat(purge.status()).isEqualTo(409);
        assertThat(purge.json().get("state").asString()).isEqualTo("succeeded");
    }

    @Test
    void aChunkedBodyOverTheLimitIs413() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(postHead("Transfer-Encoding: chunked"));
            String start = "{\"type\":\"echo\",\"payload\":{\"text\":\"";
            out.write((Integer.toHexString(start.length()) + "\r\n" + start + "\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("10000\r\n" + "x".repeat(0x10000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                for (int i = 0; i < 160; i++) { // 10 MiB
                    out.write(chunk);
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (java.io.IOException closedEarly) {
                // the server answered and closed before the whole body was sent
            }
            RawHttp.Response response = RawHttp.read(socket.getInputStream());
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.json().get("type").asString()).isEqualTo("/problems/payload-too-large");
        }
    }

    @Test
    void aBodyThatTricklesIsCutOffAt408() throws Exception {
        long start = System.nanoTime();
        java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(postHead("Content-Length: 1000"));
            out.write('{');
            socket.setSoTimeout(200);
            byte[] buffer = new byte[4096];
            // one byte each 200 ms: every single read succeeds, only the whole body's deadline can stop it
            while (Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0) {
                try {
                    out.write(' ');
                    out.flush();
                } catch (java.io.IOException closed) {
                    // the server answered and closed its side
                }
                try {
                    int n = in.read(buffer);
                    if (n < 0) {
                        break;
                    }
                    answer.write(buffer, 0, n);
                    if (answer.toString(StandardCharsets.UTF_8).matches("(?s).*\\r\\n\\r\\n.*}\\s*(0\\s*)?$")) {
                        break; // the whole answer is here
                    }
                } catch (java.net.SocketTimeoutException nothingYet) {
                    // no answer yet: trickle on
                } catch (java.io.IOException reset) {
                    break;
                }
            }
        }
        RawHttp.Response response = RawHttp.read(new java.io.ByteArrayInputStream(answer.toByteArray()));
        assertThat(response.status()).isEqualTo(408);
        assertThat(response.json().get("type").asString()).isEqualTo("/problems/request-timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("cut off near body-read-timeout (1 s)")
                .isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void aBodyThatStopsArrivingIsCutOffAt408() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(postHead("Content-Length: 100"));
            out.write("{\"type\":".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawHttp.Response response = RawHttp.read(socket.getInputStream());
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.isProblem()).isTrue();
        }
    }

    @Test
    void eventStreamsPastTheCapAre429() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        List<HttpResponse<InputStream>> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                open.add(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/events"))
                        .header("X-API-Key", ADMIN).build(), HttpResponse.BodyHandlers.ofInputStream()));
            }
            assertThat(open).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
            RawHttp.Response third = RawHttp.send(port, "GET", "/api/events", Map.of("X-API-Key", ADMIN), null);
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.json().get("type").asString()).isEqualTo("/problems/too-many-streams");
        } finally {
            for (HttpResponse<InputStream> response : open) {
                response.body().close();
            }
        }
    }

    /** The namespace's keys but the node's own bookkeeping (heartbeat, reaper lock), which runs meanwhile. */
    private Set<String> writtenKeys() {
        Set<String> written = new TreeSet<>(namespaceKeys());
        written.removeIf(key -> key.endsWith(":reaper") || key.contains(":node:") || key.endsWith(":nodes"));
        return written;
    }

    /** The head of a POST /api/jobs as an admin, with the body's framing header; the body is the caller's. */
    private static byte[] postHead(String framing) {
        return ("POST /api/jobs HTTP/1.1\r\nHost: x\r\nX-API-Key: " + ADMIN + "\r\nContent-Type: application/json\r\n"
                + framing + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private String submit(String body) {
        RawHttp.Response response = RawHttp.send(port, "POST", "/api/jobs", Map.of("X-API-Key", ADMIN), body);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asString();
    }

    private static boolean typed(RawHttp.Response response) {
        if (!response.isProblem()) {
            return false;
        }
        var json = response.json();
        return json.hasNonNull("type") && json.get("type").asString().startsWith("/problems/")
                && json.get("status").asInt() == response.status() && !response.body().contains("Exception");
    }

    private static List<String> fields(RawHttp.Response response) {
        List<String> fields = new ArrayList<>();
        response.json().get("errors").forEach(e -> fields.add(e.get("field").asString()));
        return fields;
    }

    private static String abbreviate(String body) {
        return body.length() > 80 ? body.substring(0, 80) + "..." : body;
    }
}
