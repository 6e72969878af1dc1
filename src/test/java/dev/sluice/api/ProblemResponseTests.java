package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

/** Every error is problem+json naming the field at fault, and a rejected request writes nothing. */
@TestPropertySource(properties = "sluice.api.max-body-size=2KB")
class ProblemResponseTests extends IntegrationTest {

    static Stream<Arguments> badSubmissions() {
        String big = "{\"type\":\"echo\",\"payload\":{\"text\":\"" + "x".repeat(4096) + "\"}}";
        return Stream.of(
                Arguments.of("unknown type", "{\"type\":\"nope\",\"payload\":{}}", 400, "unknown-job-type", "type"),
                Arguments.of("missing type", "{\"payload\":{}}", 400, "invalid-request", "type"),
                Arguments.of("payload field missing", "{\"type\":\"add\",\"payload\":{\"x\":1}}", 400,
                        "invalid-payload", "payload.y"),
                Arguments.of("payload field of the wrong kind", "{\"type\":\"add\",\"payload\":{\"x\":\"two\",\"y\":1}}",
                        400, "invalid-payload", "payload.x"),
                Arguments.of("unknown payload field", "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1,\"z\":1}}", 400,
                        "invalid-payload", "payload.z"),
                Arguments.of("payload duration", "{\"type\":\"sleep\",\"payload\":{\"duration\":\"soon\"}}", 400,
                        "invalid-payload", "payload.duration"),
                Arguments.of("bad priority", "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1},\"priority\":\"urgent\"}",
                        400, "invalid-request", "priority"),
                Arguments.of("bad maxAttempts", "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1},\"maxAttempts\":0}",
                        400, "invalid-request", "maxAttempts"),
                Arguments.of("bad timeout", "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1},\"timeout\":\"later\"}",
                        400, "invalid-request", "timeout"),
                Arguments.of("malformed JSON", "{\"type\":\"add\",", 400, "malformed-json", "body"),
                Arguments.of("empty body", "", 400, "malformed-json", "body"),
                Arguments.of("body over the limit", big, 413, "payload-too-large", null),
                Arguments.of("JSON nested too deep", "{\"type\":\"echo\",\"payload\":" + "[".repeat(40)
                        + "]".repeat(40) + "}", 400, "invalid-request", "body"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSubmissions")
    void aBadSubmissionIsRefusedWithAProblemAndWritesNothing(String name, String body, int status, String type,
            String field) {
        Set<String> before = namespaceKeys();

        Api.Response response = api.post("/api/jobs", body);

        assertProblem(response, status, type, field);
        assertThat(namespaceKeys()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSubmissions")
    void theSameHoldsForAChunkedBody(String name, String body, int status, String type, String field) {
        Set<String> before = namespaceKeys();

        // A publisher of unknown length makes the client send the body chunked, without Content-Length.
        Api.Response response = api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/jobs"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofString(body))));

        assertProblem(response, status, type, field);
        assertThat(namespaceKeys()).isEqualTo(before);
    }

    @org.junit.jupiter.api.Test
    void anUnknownJobIs404() {
        assertProblem(api.get("/api/jobs/no-such-job"), 404, "job-not-found", null);
    }

    @org.junit.jupiter.api.Test
    void aWaitThatIsNotADurationIs400NamingIt() {
        String id = api.submit("{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1}}");
        assertProblem(api.get("/api/jobs/" + id + "?wait=forever"), 400, "invalid-request", "wait");
    }

    private static void assertProblem(Api.Response response, int status, String type, String field) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("type").asString()).isEqualTo("/problems/" + type);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).isNotBlank().doesNotContain("java.").doesNotContain("Exception");
        if (field != null) {
            assertThat(problem.get("errors").valueStream().map(e -> e.get("field").asString())).contains(field);
            assertThat(problem.get("errors").valueStream().map(e -> e.get("reason").asString()))
                    .allSatisfy(reason -> assertThat(reason).isNotBlank().doesNotContain("java."));
        }
    }
}
