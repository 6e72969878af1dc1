package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

/**
 * The API document, read as a client generator reads it, and held to the live service: every response
 * a scenario gets (successes and errors) must be documented for its operation, with its status, its
 * media type and a body that validates against the documented schema (JSON Schema 2020-12, as OpenAPI
 * 3.1 is). So the document cannot drift from the service again.
 */
class ApiContractTests extends IntegrationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private JsonNode document;
    private final List<String> checked = new ArrayList<>();

    @BeforeEach
    void readDocument() {
        document = api.get("/v3/api-docs").json();
    }

    @Test
    void theDocumentIsWhatAClientGeneratorNeeds() {
        assertThat(document.get("openapi").asString()).startsWith("3.1");
        assertThat(document.get("components").get("securitySchemes").get("apiKey").get("name").asString())
                .isEqualTo("X-API-Key");
        assertThat(document.get("tags").get(0).get("name").asString()).isEqualTo("jobs");
        Set<String> ids = new HashSet<>();
        document.get("paths").properties().forEach(path -> path.getValue().properties().forEach(entry -> {
            String where = entry.getKey().toUpperCase() + " " + path.getKey();
            JsonNode operation = entry.getValue();
            String id = operation.get("operationId").asString();
            assertThat(id).as(where).doesNotMatch(".*_\\d+");
            assertThat(ids.add(id)).as("unique operation id %s", id).isTrue();
            assertThat(operation.get("security").toString()).as(where).contains("apiKey");
            assertThat(operation.get("responses").propertyNames().stream().anyMatch(code -> code.startsWith("2")))
                    .as("%s documents its success", where).isTrue();
            operation.get("responses").properties().forEach(response -> {
                JsonNode content = response.getValue().get("content");
                if (content == null) {
                    return;
                }
                assertThat(content.propertyNames()).as(where).doesNotContain("*/*");
                if (response.getKey().matches("[45]\\d\\d")) {
                    assertThat(content.propertyNames()).as(where + " " + response.getKey())
                            .containsExactly("application/problem+json");
                    assertThat(content.get("application/problem+json").get("schema").get("$ref").asString())
                            .isEqualTo("#/components/schemas/Problem");
                }
            });
        }));
        JsonNode schemas = document.get("components").get("schemas");
        assertThat(schemas.has("JsonNode")).as("free-form JSON is free-form, not Jackson's JsonNode").isFalse();
        assertThat(schemas.has("SseEmitter")).isFalse();
        assertThat(document.toString()).doesNotContain("#/components/schemas/JsonNode");
        JsonNode listState = parameter("/api/jobs", "get", "state");
        assertThat(listState.get("schema").get("enum").valueStream().map(JsonNode::asString).toList())
                .containsExactly("scheduled", "queued", "running", "retrying", "dead", "succeeded", "failed", "cancelled");
        assertThat(parameter("/api/queues/{priority}/pause", "post", "priority").get("schema").get("enum")).isNotNull();
        assertThat(response("/api/jobs/batch", "post", "202").toString()).contains("SubmittedJobs");
        assertThat(response("/api/batches/{id}", "get", "200").toString()).contains("BatchView");
        assertThat(response("/api/orders/{id}", "get", "200").toString()).contains("OrderView");
    }

    @Test
    void everyLiveResponseOfAScenarioIsDocumentedAndMatchesItsSchema() {
        String id = body(call("POST", "/api/jobs", "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":2}}"), 202).get("id").asString();
        call("GET", "/api/jobs/" + id + "?wait=5s", null);
        call("GET", "/api/jobs/" + id, null);
        call("GET", "/api/jobs?state=dead", null);
        call("GET", "/api/jobs?state=succeeded&type=add", null);
        call("GET", "/api/jobs?state=queued&key=tenant-1&priority=high", null);
        call("POST", "/api/jobs/batch", "{\"jobs\":[{\"type\":\"echo\",\"payload\":{\"a\":[1,\"b\",null]}},{\"type\":\"noop\"}]}");
        String batch = body(call("POST", "/api/batches", "{\"jobs\":[{\"type\":\"echo\",\"payload\":{}}]}"), 202)
                .get("id").asString();
        call("GET", "/api/batches/" + batch + "?wait=5s", null);
        String failing = body(call("POST", "/api/jobs", "{\"type\":\"fail\",\"payload\":{\"message\":\"no\"},"
                + "\"maxAttempts\":1}"), 202).get("id").asString();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(failing).equals("failed"));
        call("POST", "/api/jobs/" + failing + "/retry", null);
        String sleeping = body(call("POST", "/api/jobs", "{\"type\":\"sleep\",\"payload\":{\"duration\":\"10s\"},"
                + "\"priority\":\"low\"}"), 202).get("id").asString();
        call("DELETE", "/api/jobs/" + sleeping, null);
        call("GET", "/api/queues", null);
        call("GET", "/api/stats?range=5m", null);
        call("GET", "/api/stats?range=99h", null);
        call("GET", "/api/job-types", null);
        call("GET", "/api/job-types/echo/limits", null);
        call("PUT", "/api/job-types/echo/limits", "{\"concurrency\":50}");
        call("PUT", "/api/job-types/echo/limits", "{}");
        call("POST", "/api/queues/low/pause", null);
        call("POST", "/api/queues/low/resume", null);
        call("POST", "/api/orders", "{\"customer\":{\"name\":\"Ada\",\"email\":\"c@example.com\"},\"shipping\":\"standard\","
                + "\"items\":[{\"sku\":\"s-1\",\"quantity\":1,\"unitPrice\":2.5}]}");
        call("GET", "/api/orders?customer=c%40example.com", null);
        call("POST", "/api/dead-letters/retry-all", null);
        // errors: each must be a documented problem
        call("POST", "/api/jobs", "{\"type\":\"nope\",\"priority\":\"urgent\"}");
        call("POST", "/api/jobs", "{not json");
        call("GET", "/api/jobs/no-such-job", null);
        call("GET", "/api/batches/no-such-batch", null);
        call("GET", "/api/orders/no-such-order", null);
        call("GET", "/api/jobs?state=everything", null);
        call("DELETE", "/api/jobs/" + id, null);
        call("POST", "/api/jobs/" + id + "/retry", null);
        call("POST", "/api/queues/urgent/pause", null);
        call("PUT", "/api/job-types/echo/limits", "{\"concurrency\":0}");
        call("DELETE", "/api/dead-letters/" + id, null);

        assertThat(checked).hasSizeGreaterThan(30);
    }

    /**
     * docs/openapi.json, from which the build generates the client GeneratedClientTests uses, is the live
     * document (without its servers, which name this run's port). After a change to the API:
     * {@code ./mvnw test -Dtest=ApiContractTests -Dsluice.openapi.write=true} rewrites it.
     */
    @Test
    void theCommittedDocumentIsTheLiveOne() throws java.io.IOException {
        ObjectNode live = (ObjectNode) document.deepCopy();
        live.remove("servers");
        java.nio.file.Path committed = java.nio.file.Path.of("docs", "openapi.json");
        if (Boolean.getBoolean("sluice.openapi.write")) {
            java.nio.file.Files.writeString(committed, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(live) + "\n");
        }
        assertThat(JSON.readTree(java.nio.file.Files.readString(committed)))
                .as("docs/openapi.json is the live document; rewrite it with -Dsluice.openapi.write=true").isEqualTo(live);
    }

    /** The README's API table names exactly the document's operations: neither drifts from the other. */
    @Test
    void theReadmesApiTableNamesEveryOperationOfTheDocumentAndNoOther() throws java.io.IOException {
        List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("README.md"));
        int start = lines.indexOf("## API");
        Set<String> readme = new java.util.TreeSet<>();
        boolean inTable = false;
        for (String line : lines.subList(start, lines.size())) {
            if (!line.startsWith("|")) {
                if (inTable) {
                    break; // the endpoint table is the section's first table
                }
                continue;
            }
            inTable = true;
            if (!line.startsWith("| `")) {
                continue;
            }
            String first = line.substring(1, line.indexOf(" | "));
            String method = null;
            String path = null;
            List<String> pendingMethods = new ArrayList<>();
            var pieces = Pattern.compile("`([^`]+)`").matcher(first);
            while (pieces.find()) {
                String piece = pieces.group(1).split("\\?")[0];
                if (piece.matches("[A-Z]+")) {
                    pendingMethods.add(piece);
                    continue;
                }
                if (piece.startsWith("/")) {
                    path = path.substring(0, path.lastIndexOf('/')) + piece;
                } else {
                    method = piece.substring(0, piece.indexOf(' '));
                    path = piece.substring(piece.indexOf(' ') + 1);
                }
                readme.add(method + " " + path);
                for (String other : pendingMethods) {
                    readme.add(other + " " + path);
                }
                pendingMethods.clear();
            }
        }
        Set<String> documented = new java.util.TreeSet<>();
        document.get("paths").properties().forEach(path -> path.getValue().propertyNames()
                .forEach(method -> documented.add(method.toUpperCase() + " " + path.getKey())));
        assertThat(readme).isEqualTo(documented);
    }

    /** Sends, then checks the answer against the document; returns it. */
    private Api.Response call(String method, String pathAndQuery, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        Api.Response response = api.send(request);
        String path = pathAndQuery.split("\\?")[0];
        String where = method + " " + pathAndQuery + " -> " + response.status();
        JsonNode operation = operation(method, path);
        assertThat(operation).as("%s: an operation in the document", where).isNotNull();
        JsonNode documented = operation.get("responses").get(Integer.toString(response.status()));
        assertThat(documented).as("%s: the status is documented (%s)", where, response.body()).isNotNull();
        if (!response.body().isEmpty()) {
            String mediaType = response.contentType().split(";")[0].trim();
            JsonNode content = documented.get("content");
            assertThat(content).as("%s: a body is documented", where).isNotNull();
            assertThat(content.propertyNames()).as("%s: its media type", where).contains(mediaType);
            JsonNode schema = content.get(mediaType).get("schema");
            if (schema != null && mediaType.contains("json")) {
                ObjectNode root = (ObjectNode) schema.deepCopy();
                root.set("components", document.get("components"));
                Schema validator = SCHEMAS.getSchema(root);
                var errors = validator.validate(JSON.readTree(response.body()));
                assertThat(errors).as("%s: the body %s matches the documented schema", where, response.body()).isEmpty();
            }
        }
        checked.add(where);
        return response;
    }

    private static JsonNode body(Api.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        return response.json();
    }

    /** The operation whose path template matches; literal segments win over parameters. */
    private JsonNode operation(String method, String path) {
        List<Map.Entry<String, JsonNode>> paths = new ArrayList<>(document.get("paths").properties());
        paths.sort(Comparator.comparingInt(entry -> entry.getKey().split("\\{").length));
        for (Map.Entry<String, JsonNode> entry : paths) {
            String pattern = "^" + Pattern.quote(entry.getKey()).replaceAll("\\{[^}]+}", "\\\\E[^/]+\\\\Q") + "$";
            if (path.matches(pattern) && entry.getValue().has(method.toLowerCase())) {
                return entry.getValue().get(method.toLowerCase());
            }
        }
        return null;
    }

    private JsonNode parameter(String path, String method, String name) {
        return document.get("paths").get(path).get(method).get("parameters").valueStream()
                .filter(p -> p.get("name").asString().equals(name)).findFirst().orElseThrow();
    }

    private JsonNode response(String path, String method, String code) {
        return document.get("paths").get(path).get(method).get("responses").get(code);
    }
}
