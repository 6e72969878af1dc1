package dev.sluice.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

/** A worker key may claim, renew and finish jobs of the types it lists, for worker ids it registered, and nothing else. */
@TestPropertySource(properties = {
        "sluice.security.api-keys[0].name=imaging", "sluice.security.api-keys[0].role=worker",
        "sluice.security.api-keys[0].types[0]=resize", "sluice.security.api-keys[0].hash=" + ApiKeyTests.SHOP_HASH,
        "sluice.security.api-keys[1].name=mailer", "sluice.security.api-keys[1].role=worker",
        "sluice.security.api-keys[1].types[0]=resize", "sluice.security.api-keys[1].types[1]=mail",
        "sluice.security.api-keys[1].hash=" + ApiKeyTests.BILLING_HASH,
        "sluice.security.api-keys[2].name=ops", "sluice.security.api-keys[2].role=admin",
        "sluice.security.api-keys[2].hash=" + ApiKeyTests.OPS_HASH})
class WorkerKeyTests extends IntegrationTest {

    private static final String IMAGING = "shop-key";
    private static final String MAILER = "billing-key";
    private static final String ADMIN = "ops-key";

    @Test
    void aWorkerKeyWorksItsOwnTypesAndWorkersOnly() {
        for (String type : List.of("resize", "mail")) {
            assertThat(call("PUT", "/api/job-types/" + type, "{\"payloadSchema\":true}", ADMIN).status()).isEqualTo(200);
        }
        assertThat(call("PUT", "/api/job-types/other", "{\"payloadSchema\":true}", IMAGING).status())
                .as("declaring types is for admins").isEqualTo(403);
        String id = call("POST", "/api/jobs", "{\"type\":\"resize\",\"payload\":{}}", ADMIN).json().get("id").asString();

        Api.Response refused = call("POST", "/api/workers/img-1/claim", "{\"types\":[\"resize\",\"mail\"]}", IMAGING);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("types").get(0).asString()).isEqualTo("mail");
        assertThat(redis.hasKey(keys.node("remote:img-1"))).as("a refused claim registers nothing").isFalse();

        JsonNode job = call("POST", "/api/workers/img-1/claim", "{\"types\":[\"resize\"]}", IMAGING).json().get(0);
        assertThat(job.get("id").asString()).isEqualTo(id);
        String token = job.get("leaseToken").asString();

        // another key, though it may claim resize too, cannot use img-1's id nor report img-1's jobs
        assertThat(call("POST", "/api/workers/img-1/claim", "{\"types\":[\"resize\"]}", MAILER).status()).isEqualTo(409);
        Api.Response foreign = call("POST", "/api/jobs/" + id + "/complete", "{\"leaseToken\":\"" + token + "\"}", MAILER);
        assertThat(foreign.status()).isEqualTo(409);
        assertThat(foreign.json().get("type").asString()).isEqualTo("/problems/worker-conflict");
        assertThat(call("GET", "/api/jobs/" + id, null, ADMIN).json().get("state").asString()).isEqualTo("running");

        // nothing else: submitting, reading jobs, listings, queues, metrics
        for (String[] route : List.of(new String[] {"POST", "/api/jobs"}, new String[] {"GET", "/api/jobs/" + id},
                new String[] {"GET", "/api/jobs?state=queued"}, new String[] {"GET", "/api/queues"},
                new String[] {"GET", "/actuator/prometheus"}, new String[] {"PUT", "/api/workers/img-1/state"},
                new String[] {"DELETE", "/api/jobs/" + id})) {
            Api.Response response = call(route[0], route[1], route[0].equals("GET") || route[0].equals("DELETE") ? null
                    : "{\"type\":\"resize\",\"state\":\"stop\"}", IMAGING);
            assertThat(response.status()).as(route[0] + " " + route[1]).isEqualTo(403);
        }
        assertThat(call("GET", "/api/job-types", null, IMAGING).status()).isEqualTo(200);
        assertThat(call("POST", "/api/jobs/" + id + "/complete", "{\"leaseToken\":\"" + token + "\"}", IMAGING).status())
                .isEqualTo(200);
        assertThat(call("GET", "/api/jobs/" + id, null, ADMIN).json().get("state").asString()).isEqualTo("succeeded");
    }

    private Api.Response call(String method, String path, String json, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-API-Key", key).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return api.send(request);
    }

}
