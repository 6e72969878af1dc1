package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

class IdempotencyTests extends IntegrationTest {

    private Api.Response post(String path, String key, String body) {
        return api.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void theSameKeyAndBodyReturnTheOriginalJobAndEnqueueOnce() {
        String key = UUID.randomUUID().toString();
        String body = "{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":2}}";
        int jobsBefore = redis.keys(keys.job("*")).size();

        Api.Response first = post("/api/jobs", key, body);
        Api.Response again = post("/api/jobs", key, "{ \"type\": \"add\", \"payload\": {\"x\": 1, \"y\": 2} }");

        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
        assertThat(again.location()).isEqualTo(first.location());
        assertThat(again.json().get("payload").get("y").asInt()).isEqualTo(2);
        assertThat(redis.keys(keys.job("*"))).hasSize(jobsBefore + 1);
    }

    @Test
    void concurrentDuplicatesEnqueueOnce() throws Exception {
        String key = UUID.randomUUID().toString();
        String body = "{\"type\":\"noop\",\"priority\":\"low\"}";
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Api.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return post("/api/jobs", key, body);
            }));
        }
        start.countDown();

        List<Api.Response> responses = calls.stream().map(CompletableFuture::join).toList();
        Set<String> ids = responses.stream().map(r -> r.json().get("id").asString()).collect(Collectors.toSet());

        assertThat(ids).hasSize(1);
        assertThat(responses.stream().filter(r -> r.status() == 202)).hasSize(1);
        assertThat(responses.stream().filter(r -> r.status() == 200)).hasSize(15);
    }

    @Test
    void theSameKeyWithAnotherBodyIs422AndWritesNothing() {
        String key = UUID.randomUUID().toString();
        post("/api/jobs", key, "{\"type\":\"noop\"}");
        awaitQuiet();
        Set<String> before = namespaceKeys();

        Api.Response reused = post("/api/jobs", key, "{\"type\":\"noop\",\"priority\":\"high\"}");

        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.contentType()).startsWith("application/problem+json");
        assertThat(reused.json().get("type").asString()).isEqualTo("/problems/idempotency-key-reused");
        assertThat(reused.json().get("errors").get(0).get("field").asString()).isEqualTo("Idempotency-Key");
        assertThat(namespaceKeys()).isEqualTo(before);
    }

    @Test
    void aKeyIsOnlyComparedWithinItsEndpointAndMustBeSensible() {
        String key = UUID.randomUUID().toString();
        assertThat(post("/api/jobs", key, "{\"type\":\"noop\"}").status()).isEqualTo(202);
        assertThat(post("/api/batches", key, "{\"jobs\":[{\"type\":\"noop\"}]}").status()).isEqualTo(202);
        assertThat(post("/api/jobs", "has space", "{\"type\":\"noop\"}").status()).isEqualTo(400);
    }

    @Test
    void aBatchWithTheSameKeyIsSubmittedOnce() {
        String key = UUID.randomUUID().toString();
        String body = "{\"jobs\":[{\"type\":\"noop\"},{\"type\":\"noop\"}]}";
        int jobsBefore = redis.keys(keys.job("*")).size();

        Api.Response first = post("/api/batches", key, body);
        Api.Response again = post("/api/batches", key, body);

        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
        assertThat(redis.keys(keys.job("*"))).hasSize(jobsBefore + 2);
    }
}
