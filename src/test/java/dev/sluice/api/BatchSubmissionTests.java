package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

@TestPropertySource(properties = "sluice.api.max-batch-size=50")
class BatchSubmissionTests extends IntegrationTest {

    @Test
    void aBatchIsQueuedWholeAndEveryJobRuns() {
        String jobs = IntStream.range(0, 50).mapToObj(i -> "{\"type\":\"add\",\"payload\":{\"x\":" + i + ",\"y\":1},"
                + "\"priority\":\"" + List.of("high", "normal", "low").get(i % 3) + "\"}").collect(Collectors.joining(","));

        Api.Response response = api.post("/api/jobs/batch", "{\"jobs\":[" + jobs + "]}");

        assertThat(response.status()).isEqualTo(202);
        JsonNode body = response.json();
        assertThat(body.get("count").asInt()).isEqualTo(50);
        List<String> ids = body.get("ids").valueStream().map(JsonNode::asString).toList();
        assertThat(ids).hasSize(50).doesNotHaveDuplicates();
        await().atMost(Duration.ofSeconds(10)).until(() -> ids.stream().allMatch(id -> api.state(id).equals("succeeded")));
        assertThat(api.job(ids.get(7)).get("result").asInt()).isEqualTo(8);
    }

    @Test
    void oneInvalidJobRefusesTheWholeBatchNamingEveryFaultAndWritesNothing() {
        Set<String> before = namespaceKeys();

        Api.Response response = api.post("/api/jobs/batch", "{\"jobs\":["
                + "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1}},"
                + "{\"type\":\"add\",\"payload\":{\"x\":\"one\",\"y\":1}},"
                + "{\"type\":\"nope\"}]}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("errors").valueStream().map(e -> e.get("field").asString()))
                .containsExactly("jobs[1].payload.x", "jobs[2].type");
        assertThat(namespaceKeys()).isEqualTo(before);
    }

    @Test
    void aBatchOverTheLimitOrEmptyIsRefused() {
        String jobs = IntStream.range(0, 51).mapToObj(i -> "{\"type\":\"noop\"}").collect(Collectors.joining(","));

        Api.Response tooMany = api.post("/api/jobs/batch", "{\"jobs\":[" + jobs + "]}");
        Api.Response empty = api.post("/api/jobs/batch", "{\"jobs\":[]}");
        Api.Response missingType = api.post("/api/jobs/batch", "{\"jobs\":[{\"payload\":{}}]}");

        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().get("errors").get(0).get("field").asString()).isEqualTo("jobs");
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.json().get("errors").get(0).get("field").asString()).isEqualTo("jobs");
        assertThat(missingType.json().get("errors").get(0).get("field").asString()).isEqualTo("jobs[0].type");
    }
}
