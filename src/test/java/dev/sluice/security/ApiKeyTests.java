package dev.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.HexFormat;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.test.context.TestPropertySource;

import dev.sluice.SluiceApplication;
import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;
import dev.sluice.support.TestRedis;

@TestPropertySource(properties = {
        "sluice.security.api-keys[0].name=shop", "sluice.security.api-keys[0].role=producer",
        "sluice.security.api-keys[0].hash=" + ApiKeyTests.SHOP_HASH,
        "sluice.security.api-keys[1].name=billing", "sluice.security.api-keys[1].role=producer",
        "sluice.security.api-keys[1].hash=" + ApiKeyTests.BILLING_HASH,
        "sluice.security.api-keys[2].name=ops", "sluice.security.api-keys[2].role=admin",
        "sluice.security.api-keys[2].hash=" + ApiKeyTests.OPS_HASH})
class ApiKeyTests extends IntegrationTest {

    // sha256 of "shop-key", "billing-key" and "ops-key"
    static final String SHOP_HASH = "sha256:44cfdcdd88354fa1412781f5a01a901c9112db33bfa8b165fbec9b618d9cf112";
    static final String BILLING_HASH = "sha256:1360cf85a9cad115d1274ab6188bd172ec443505e7be006c723e74bcacd284a0";
    static final String OPS_HASH = "sha256:2c69bc9111c27110a9b9a7974ba3f8ac0c053c16b23a0738115ee829fbc4d57b";

    private Api.Response call(String method, String path, String key, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("X-API-Key", key);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return api.send(request);
    }

    @Test
    void theHashesInThisTestAreTheKeysTheySayTheyAre() {
        assertThat("sha256:" + HexFormat.of().formatHex(ApiKeys.sha256("shop-key"))).isEqualTo(SHOP_HASH);
        assertThat("sha256:" + HexFormat.of().formatHex(ApiKeys.sha256("billing-key"))).isEqualTo(BILLING_HASH);
        assertThat("sha256:" + HexFormat.of().formatHex(ApiKeys.sha256("ops-key"))).isEqualTo(OPS_HASH);
    }

    @Test
    void withoutAValidKeyTheApiAnswers401AndWritesNothing() {
        var before = namespaceKeys();

        Api.Response missing = call("POST", "/api/jobs", null, "{\"type\":\"noop\"}");
        Api.Response wrong = call("POST", "/api/jobs", "guess", "{\"type\":\"noop\"}");

        for (Api.Response response : new Api.Response[] {missing, wrong}) {
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().get("type").asString()).isEqualTo("/problems/missing-api-key");
        }
        assertThat(namespaceKeys()).isEqualTo(before);
    }

    @Test
    void aProducerSubmitsAndReadsItsOwnJobsButNotAnothersAndCannotAdminister() {
        String id = call("POST", "/api/jobs", "shop-key", "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1}}")
                .json().get("id").asString();

        assertThat(call("GET", "/api/jobs/" + id + "?wait=10s", "shop-key", null).json().get("result").asInt())
                .isEqualTo(2);
        assertThat(call("GET", "/api/jobs/" + id, "billing-key", null).status()).isEqualTo(404);
        Api.Response queues = call("GET", "/api/queues", "shop-key", null);
        assertThat(queues.status()).isEqualTo(403);
        assertThat(queues.json().get("type").asString()).isEqualTo("/problems/forbidden");
        assertThat(call("GET", "/api/jobs?state=dead", "shop-key", null).status()).isEqualTo(403);
        assertThat(call("POST", "/api/jobs/" + id + "/retry", "shop-key", null).status()).isEqualTo(403);
    }

    @Test
    void aProducerCancelsItsOwnJobsButNotAnothers() {
        String id = call("POST", "/api/jobs", "shop-key", "{\"type\":\"sleep\",\"payload\":{\"duration\":\"1h\"}}")
                .json().get("id").asString();

        Api.Response other = call("DELETE", "/api/jobs/" + id, "billing-key", null);
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.json().get("type").asString()).isEqualTo("/problems/job-not-found");
        assertThat(call("GET", "/api/jobs/" + id, "ops-key", null).json().get("state").asString())
                .isNotEqualTo("cancelled");
        Api.Response own = call("DELETE", "/api/jobs/" + id, "shop-key", null);
        assertThat(own.status()).isIn(200, 202);
        assertThat(call("GET", "/api/jobs/" + id + "?wait=10s", "shop-key", null).json().get("state").asString())
                .isEqualTo("cancelled");
    }

    @Test
    void idempotencyKeysBelongToTheKeyThatSentThem() {
        String body = "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":2}}";
        var first = call("POST", "/api/jobs", "shop-key", body, "Idempotency-Key", "order-1");
        var otherSame = call("POST", "/api/jobs", "billing-key", body, "Idempotency-Key", "order-1");
        var otherDifferent = call("POST", "/api/jobs", "billing-key", "{\"type\":\"noop\"}",
                "Idempotency-Key", "order-2");
        var shopDifferent = call("POST", "/api/jobs", "shop-key", "{\"type\":\"noop\"}", "Idempotency-Key", "order-2");

        assertThat(first.status()).isEqualTo(202);
        assertThat(otherSame.status()).as("another key's Idempotency-Key is not seen: a new job").isEqualTo(202);
        assertThat(otherSame.json().get("id").asString()).isNotEqualTo(first.json().get("id").asString());
        assertThat(otherDifferent.status()).isEqualTo(202);
        assertThat(shopDifferent.status()).as("no 422 that would confirm another tenant's key exists").isEqualTo(202);
        assertThat(call("POST", "/api/jobs", "shop-key", body, "Idempotency-Key", "order-1").json().get("id")
                .asString()).as("the same key and body of the same caller still replay")
                .isEqualTo(first.json().get("id").asString());
    }

    @Test
    void healthDetailsAreForAdminsOnly() {
        assertThat(call("GET", "/actuator/health", null, null).json().has("components")).isFalse();
        assertThat(call("GET", "/actuator/health", "shop-key", null).json().has("components")).isFalse();
        assertThat(call("GET", "/actuator/health", "ops-key", null).json().get("components").has("redis")).isTrue();
    }

    @Test
    void anAdminMayDoEverythingAndReadsEveryonesJobs() {
        String id = call("POST", "/api/jobs", "shop-key", "{\"type\":\"sleep\",\"payload\":{\"duration\":\"1h\"}}")
                .json().get("id").asString();

        assertThat(call("GET", "/api/jobs/" + id, "ops-key", null).status()).isEqualTo(200);
        assertThat(call("DELETE", "/api/jobs/" + id, "ops-key", null).json().get("state").asString()).isEqualTo("cancelled");
        assertThat(call("GET", "/api/queues", "ops-key", null).status()).isEqualTo(200);
        assertThat(call("GET", "/actuator/prometheus", "ops-key", null).status()).isEqualTo(200);
    }

    @Test
    void probesAndDocsAreOpenButMetricsNeedAnAdminKey() {
        assertThat(call("GET", "/actuator/health", null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/actuator/health/readiness", null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/actuator/info", null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/v3/api-docs", null, null).status()).isEqualTo(200);
        assertThat(call("GET", "/actuator/prometheus", null, null).status()).isEqualTo(401);
        assertThat(call("GET", "/actuator/metrics", "shop-key", null).status()).isEqualTo(403);
    }

    @Test
    void requiringKeysWithoutAnyFailsStartUpWithAClearMessage() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(SluiceApplication.class).run("--server.port=0",
                "--server.address=127.0.0.1", "--spring.data.redis.url=" + TestRedis.url(),
                "--sluice.embedded-redis.enabled=false", "--sluice.namespace=test-" + UUID.randomUUID(),
                "--sluice.security.require-keys=true").close())
                .hasStackTraceContaining("sluice.security.require-keys is set but no API key is configured");
    }

    @Test
    void aKeyLeftWithoutAHashFailsStartUpWhenKeysAreRequiredAndIsIgnoredForALocalTrial() {
        String[] halfAKey = {"--server.port=0", "--server.address=127.0.0.1", "--spring.data.redis.url=" + TestRedis.url(),
            "--sluice.embedded-redis.enabled=false", "--sluice.namespace=test-" + UUID.randomUUID(),
            "--sluice.security.api-keys[0].name=ops", "--sluice.security.api-keys[0].role=admin",
            "--sluice.security.api-keys[0].hash="};
        String[] required = java.util.Arrays.copyOf(halfAKey, halfAKey.length + 1);
        required[halfAKey.length] = "--sluice.security.require-keys=true";
        assertThatThrownBy(() -> new SpringApplicationBuilder(SluiceApplication.class).run(required).close())
                .hasStackTraceContaining("API key [ops] has no hash");

        String[] trial = java.util.Arrays.copyOf(halfAKey, halfAKey.length + 1);
        trial[halfAKey.length] = "--sluice.security.require-keys=false";
        try (var context = new SpringApplicationBuilder(SluiceApplication.class).run(trial)) {
            int port = ((org.springframework.boot.web.server.context.WebServerApplicationContext) context)
                    .getWebServer().getPort();
            // the compose file's local-trial path: it starts, and the API is open as without keys
            assertThat(new dev.sluice.support.Api(port).get("/api/queues").status()).isEqualTo(200);
        }
    }
}
