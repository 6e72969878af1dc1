package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.queue.RedisKeys;
import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

/**
 * The remote-worker protocol over real HTTP and real Redis: types declared over HTTP, claims paid with
 * the worker's tokens, long polls woken by enqueues, lease renewal, fencing of stale outcomes, cancel
 * reaching the worker, and recovery of a vanished worker's jobs.
 */
@TestPropertySource(properties = {"sluice.dispatch.lease=2s", "sluice.dispatch.heartbeat=500ms",
        "sluice.dispatch.reaper-interval=300ms", "sluice.workers.pool-size=2", "sluice.retry.backoff=200ms"})
class RemoteWorkerTests extends IntegrationTest {

    private static ExecutorService POOL;

    @org.junit.jupiter.api.BeforeAll
    static void startPool() {
        POOL = Executors.newFixedThreadPool(16);
    }

    @AfterAll
    static void stopPool() {
        POOL.shutdownNow();
    }

    @BeforeEach
    void declareTypes() {
        assertThat(api.send(put("/api/job-types/resize", """
                {"description": "resize an image", "timeout": "30s", "maxAttempts": 3,
                 "payloadSchema": {"type": "object", "required": ["url"], "additionalProperties": false,
                   "properties": {"url": {"type": "string"}, "width": {"type": "integer", "minimum": 1}}}}
                """)).status()).isEqualTo(200);
        assertThat(api.send(put("/api/job-types/thumb", """
                {"payloadSchema": true}""")).status()).isEqualTo(200);
    }

    @Test
    void aRemoteTypeIsListedValidatedAndItsJobsRunOnlyOnRemoteWorkers() {
        JsonNode types = api.get("/api/job-types").json();
        JsonNode resize = find(types, "resize");
        assertThat(resize.get("runs").asString()).isEqualTo("remote");
        assertThat(resize.get("payloadSchema").get("required").get(0).asString()).isEqualTo("url");
        assertThat(find(types, "echo").get("runs").asString()).isEqualTo("local");

        Api.Response bad = api.post("/api/jobs", "{\"type\":\"resize\",\"payload\":{\"width\":0,\"color\":1}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("type").asString()).isEqualTo("/problems/invalid-payload");
        List<String> fields = bad.json().get("errors").valueStream().map(e -> e.get("field").asString()).toList();
        assertThat(fields).contains("payload", "payload.width");

        String id = api.submit("{\"type\":\"resize\",\"payload\":{\"url\":\"s3://a.png\",\"width\":64}}");
        // the node's own two workers never take it: it waits in the type's lane
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> api.state(id).equals("queued"));

        JsonNode claimed = claim("w1", "{\"types\":[\"resize\"],\"max\":4}").json();
        assertThat(claimed.size()).isEqualTo(1);
        JsonNode job = claimed.get(0);
        assertThat(job.get("id").asString()).isEqualTo(id);
        assertThat(job.get("payload").get("width").asInt()).isEqualTo(64);
        assertThat(job.get("attempt").asInt()).isEqualTo(1);
        assertThat(api.state(id)).isEqualTo("running");

        Api.Response done = api.post("/api/jobs/" + id + "/complete",
                "{\"leaseToken\":\"" + job.get("leaseToken").asString() + "\",\"result\":{\"bytes\":1234}}");
        assertThat(done.status()).isEqualTo(200);
        JsonNode finished = api.job(id);
        assertThat(finished.get("state").asString()).isEqualTo("succeeded");
        assertThat(finished.get("result").get("bytes").asInt()).isEqualTo(1234);
        // the same report again (a lost reply): changes nothing, answers the same
        Api.Response again = api.post("/api/jobs/" + id + "/complete",
                "{\"leaseToken\":\"" + job.get("leaseToken").asString() + "\",\"result\":{\"bytes\":9}}");
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("replayed").asBoolean()).isTrue();
        assertThat(api.job(id).get("result").get("bytes").asInt()).isEqualTo(1234);
        assertTokens("w1", 4);
    }

    @Test
    void claimsNeverHandAWorkerMoreJobsThanItsSlotsEvenWhenTheyRace() throws Exception {
        type("race");
        for (int i = 0; i < 40; i++) {
            api.submit("{\"type\":\"race\",\"payload\":{\"n\":" + i + "}}");
        }
        List<CompletableFuture<Api.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            calls.add(CompletableFuture.supplyAsync(() -> claim("racer", "{\"types\":[\"race\"],\"max\":3,\"slots\":3}"), POOL));
        }
        int got = 0;
        for (CompletableFuture<Api.Response> call : calls) {
            Api.Response response = call.get();
            assertThat(response.status()).isIn(200, 204);
            got += response.status() == 200 ? response.json().size() : 0;
        }
        assertThat(got).isEqualTo(3);
        assertTokens("racer", 3);
        String member = RedisKeys.remoteMember("racer");
        assertThat(redis.opsForList().size(keys.freeWorkers(member))).isZero();
        assertThat(leased(member)).isEqualTo(3);
        JsonNode queues = api.get("/api/queues").json();
        assertThat(queues.get("lanes").get("race").get("normal").asInt()).as("remote jobs still waiting").isEqualTo(37);
        JsonNode racer = queues.get("nodes").valueStream().filter(n -> n.get("id").asString().equals(member))
                .findFirst().orElseThrow();
        assertThat(racer.get("poolSize").asInt()).isEqualTo(3);
        assertThat(racer.get("runningJobs").asInt()).isEqualTo(3);
    }

    @Test
    void aWaitingClaimIsWokenByTheEnqueue() {
        type("wake");
        long start = System.nanoTime();
        CompletableFuture<Api.Response> waiting = CompletableFuture.supplyAsync(
                () -> claim("sleeper", "{\"types\":[\"wake\"],\"max\":1,\"wait\":\"20s\"}"), POOL);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !waiting.isDone());
        String id = api.submit("{\"type\":\"wake\",\"payload\":{}}");

        Api.Response claimed = waiting.join();
        assertThat(claimed.status()).isEqualTo(200);
        assertThat(claimed.json().get(0).get("id").asString()).isEqualTo(id);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        // nothing more to do: a short wait ends in 204
        assertThat(claim("sleeper", "{\"types\":[\"wake\"],\"max\":1,\"wait\":\"300ms\"}").status()).isEqualTo(204);
    }

    @Test
    void heartbeatsKeepAJobPastItsLeaseAndAStaleOutcomeIsRefused() {
        type("keep");
        String kept = api.submit("{\"type\":\"keep\",\"payload\":{\"k\":1}}");
        JsonNode job = claim("keeper", "{\"types\":[\"keep\"],\"max\":1}").json().get(0);
        String token = job.get("leaseToken").asString();
        long until = System.nanoTime() + Duration.ofMillis(4500).toNanos(); // more than two leases
        while (System.nanoTime() < until) {
            Api.Response beat = api.post("/api/jobs/" + kept + "/heartbeat", "{\"leaseToken\":\"" + token
                    + "\",\"progress\":50,\"message\":\"half\"}");
            assertThat(beat.status()).isEqualTo(200);
            await().pollDelay(Duration.ofMillis(400)).until(() -> true);
        }
        assertThat(api.job(kept).get("attempts").asInt()).isEqualTo(1);
        assertThat(api.job(kept).get("progress").get("percent").asInt()).isEqualTo(50);
        assertThat(api.post("/api/jobs/" + kept + "/complete", "{\"leaseToken\":\"" + token + "\"}").status())
                .isEqualTo(200);

        // a worker that stops renewing: its job is recovered, claimed again, and its late report is fenced off
        String lost = api.submit("{\"type\":\"keep\",\"payload\":{\"k\":2}}");
        String stale = claim("slow", "{\"types\":[\"keep\"],\"max\":1}").json().get(0).get("leaseToken").asString();
        // the worker stays registered (it beats) but lets the job's lease lapse
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> {
            assertThat(api.post("/api/workers/slow/beat", "{}").json().get("state").asString()).isEqualTo("run");
            return api.state(lost).equals("queued");
        });
        assertTokens("slow", 1); // the recovered job's token came back to the live worker
        JsonNode second = claim("fast", "{\"types\":[\"keep\"],\"max\":1}").json().get(0);
        assertThat(second.get("attempt").asInt()).isEqualTo(2);

        Api.Response refused = api.post("/api/jobs/" + lost + "/complete", "{\"leaseToken\":\"" + stale + "\"}");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("type").asString()).isEqualTo("/problems/lease-lost");
        assertThat(api.post("/api/jobs/" + lost + "/heartbeat", "{\"leaseToken\":\"" + stale + "\"}").status())
                .isEqualTo(409);
        assertThat(api.state(lost)).isEqualTo("running");
        assertThat(api.post("/api/jobs/" + lost + "/complete", "{\"leaseToken\":\""
                + second.get("leaseToken").asString() + "\"}").status()).isEqualTo(200);
        assertThat(api.state(lost)).isEqualTo("succeeded");
    }

    @Test
    void failuresRetryWithBackOffAndANonRetryableOneFailsForGood() {
        type("shaky");
        String id = api.submit("{\"type\":\"shaky\",\"payload\":{},\"maxAttempts\":2}");
        JsonNode first = claim("failer", "{\"types\":[\"shaky\"],\"max\":1}").json().get(0);
        Api.Response failed = api.post("/api/jobs/" + id + "/fail", "{\"leaseToken\":\""
                + first.get("leaseToken").asString() + "\",\"error\":{\"type\":\"IOError\",\"message\":\"disk full\"},"
                + "\"retryAfter\":\"300ms\"}");
        assertThat(failed.status()).isEqualTo(200);
        assertThat(failed.json().get("state").asString()).isEqualTo("retrying");
        JsonNode second = await().atMost(Duration.ofSeconds(5)).until(
                () -> claim("failer", "{\"types\":[\"shaky\"],\"max\":1}"), r -> r.status() == 200).json().get(0);
        assertThat(second.get("attempt").asInt()).isEqualTo(2);
        Api.Response dead = api.post("/api/jobs/" + id + "/fail", "{\"leaseToken\":\""
                + second.get("leaseToken").asString() + "\",\"error\":{\"message\":\"still full\"}}");
        assertThat(dead.json().get("state").asString()).isEqualTo("dead");
        assertThat(api.job(id).get("error").get("message").asString()).isEqualTo("still full");

        String permanent = api.submit("{\"type\":\"shaky\",\"payload\":{},\"maxAttempts\":5}");
        JsonNode job = claim("failer", "{\"types\":[\"shaky\"],\"max\":1}").json().get(0);
        Api.Response failedForGood = api.post("/api/jobs/" + permanent + "/fail", "{\"leaseToken\":\""
                + job.get("leaseToken").asString() + "\",\"error\":{\"type\":\"BadInput\",\"message\":\"no such file\"},"
                + "\"retryable\":false}");
        assertThat(failedForGood.json().get("state").asString()).isEqualTo("failed");
        assertThat(api.job(permanent).get("error").get("type").asString()).isEqualTo("BadInput");
        assertTokens("failer", 1);
    }

    @Test
    void aCancelReachesTheRemoteWorkerAsGoneAndFreesItsSlot() {
        type("cancel-me");
        String id = api.submit("{\"type\":\"cancel-me\",\"payload\":{}}");
        String token = claim("cancelled", "{\"types\":[\"cancel-me\"],\"max\":1}").json().get(0).get("leaseToken").asString();
        CompletableFuture<Api.Response> cancel = CompletableFuture.supplyAsync(() -> api.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/jobs/" + id))
                        .DELETE()), POOL);
        await().atMost(Duration.ofSeconds(5)).until(() -> api.job(id).get("cancelRequested").asBoolean());

        Api.Response beat = api.post("/api/jobs/" + id + "/heartbeat", "{\"leaseToken\":\"" + token + "\"}");
        assertThat(beat.status()).isEqualTo(410);
        assertThat(beat.json().get("type").asString()).isEqualTo("/problems/job-cancelled");
        assertThat(cancel.join().json().get("state").asString()).isEqualTo("cancelled");
        assertThat(api.state(id)).isEqualTo("cancelled");
        assertTokens("cancelled", 1);
        assertThat(redis.opsForList().size(keys.freeWorkers(RedisKeys.remoteMember("cancelled")))).isEqualTo(1);
    }

    @Test
    void aReleasedJobGoesBackToTheHeadOfItsQueueWithItsAttemptGivenBack() {
        type("handed");
        // one key: first in, first out, also on a partitioned namespace (a key's jobs share a partition)
        String first = api.submit("{\"type\":\"handed\",\"payload\":{\"n\":1},\"key\":\"one\"}");
        String second = api.submit("{\"type\":\"handed\",\"payload\":{\"n\":2},\"key\":\"one\"}");
        String token = claim("leaving", "{\"types\":[\"handed\"],\"max\":1,\"slots\":2}").json().get(0)
                .get("leaseToken").asString();
        Api.Response released = api.post("/api/jobs/" + first + "/release", "{\"leaseToken\":\"" + token + "\"}");
        assertThat(released.status()).isEqualTo(200);
        assertThat(released.json().get("state").asString()).isEqualTo("queued");
        assertThat(api.job(first).get("attempts").asInt()).isZero();
        assertTokens("leaving", 2);
        assertThat(redis.opsForList().size(keys.freeWorkers(RedisKeys.remoteMember("leaving")))).isEqualTo(2);
        JsonNode next = claim("staying", "{\"types\":[\"handed\"],\"max\":1}").json().get(0);
        assertThat(next.get("id").asString()).as("back at the head, before the job behind it").isEqualTo(first);
        assertThat(next.get("attempt").asInt()).isEqualTo(1);
        assertThat(api.state(second)).isEqualTo("queued");
    }

    @Test
    void manyResultsAreReportedInOneCallEachAnsweredAsItsOwnCompleteWould() {
        type("bulk");
        for (int i = 0; i < 3; i++) {
            api.submit("{\"type\":\"bulk\",\"payload\":{\"n\":" + i + "}}");
        }
        JsonNode jobs = claim("bulk-1", "{\"types\":[\"bulk\"],\"max\":3}").json();
        assertThat(jobs.size()).isEqualTo(3);
        StringBuilder results = new StringBuilder();
        for (JsonNode job : jobs) {
            results.append(results.isEmpty() ? "" : ",").append("{\"id\":\"").append(job.get("id").asString())
                    .append("\",\"leaseToken\":\"").append(job.get("leaseToken").asString()).append("\",\"result\":7}");
        }
        Api.Response first = api.post("/api/jobs/complete", "{\"results\":[" + results + "]}");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("results").valueStream().map(r -> r.get("outcome").asString()))
                .containsExactly("ok", "ok", "ok");
        Api.Response again = api.post("/api/jobs/complete", "{\"results\":[" + results + "]}");
        assertThat(again.json().get("results").valueStream().map(r -> r.get("outcome").asString()))
                .containsExactly("replayed", "replayed", "replayed");
        jobs.valueStream().forEach(job -> assertThat(api.job(job.get("id").asString()).get("result").asInt()).isEqualTo(7));
        assertTokens("bulk-1", 3);

        Api.Response mixed = api.post("/api/jobs/complete", "{\"results\":[" + results
                + ",{\"id\":\"x\",\"leaseToken\":\"other~1~AAAAAAAAAAAAAAAAAAAAAA.1\"}]}");
        assertThat(mixed.status()).isEqualTo(400);
        assertThat(mixed.json().get("errors").get(0).get("field").asString()).isEqualTo("results[3].leaseToken");
        assertThat(api.post("/api/jobs/complete", "{\"results\":[]}").status()).isEqualTo(400);
    }

    @Test
    void aQuietWorkerIsToldSoAtItsNextClaimAndGetsNothing() {
        type("calm");
        api.submit("{\"type\":\"calm\",\"payload\":{}}");
        assertThat(claim("calm-1", "{\"types\":[\"calm\"],\"max\":1,\"slots\":2,\"wait\":\"200ms\"}").status())
                .isEqualTo(200);
        Api.Response quiet = api.send(put("/api/workers/calm-1/state", "{\"state\":\"quiet\"}"));
        assertThat(quiet.status()).isEqualTo(200);
        api.submit("{\"type\":\"calm\",\"payload\":{}}");
        Api.Response told = claim("calm-1", "{\"types\":[\"calm\"],\"max\":1}");
        assertThat(told.status()).isEqualTo(204);
        assertThat(api.post("/api/workers/calm-1/beat", "{}").json().get("state").asString()).isEqualTo("quiet");
        assertThat(api.send(put("/api/workers/nobody/state", "{\"state\":\"stop\"}")).status()).isEqualTo(404);
        assertThat(api.send(put("/api/workers/calm-1/state", "{\"state\":\"asleep\"}")).status()).isEqualTo(400);
    }

    @Test
    void strictPriorityHoldsAcrossAWorkersTypes() {
        String low = api.submit("{\"type\":\"thumb\",\"payload\":{},\"priority\":\"low\"}");
        String normal = api.submit("{\"type\":\"resize\",\"payload\":{\"url\":\"u\"}}");
        String high = api.submit("{\"type\":\"thumb\",\"payload\":{},\"priority\":\"high\"}");
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonNode job = claim("picky", "{\"types\":[\"resize\",\"thumb\"],\"max\":1,\"slots\":3}").json().get(0);
            order.add(job.get("id").asString());
        }
        assertThat(order).containsExactly(high, normal, low);
    }

    @Test
    void aTypeCannotBeRemovedWhileItsJobsWaitAndRefusedCallsChangeNothing() {
        assertThat(api.send(put("/api/job-types/gone-soon", "{\"payloadSchema\":true}")).status()).isEqualTo(200);
        String id = api.submit("{\"type\":\"gone-soon\",\"payload\":{}}");
        Api.Response busy = api.send(delete("/api/job-types/gone-soon"));
        assertThat(busy.status()).isEqualTo(409);
        assertThat(busy.json().get("busyWith").asString()).isEqualTo("queued");
        JsonNode job = claim("cleaner", "{\"types\":[\"gone-soon\"],\"max\":1}").json().get(0);
        assertThat(api.send(delete("/api/job-types/gone-soon")).json().get("busyWith").asString()).isEqualTo("running");
        api.post("/api/jobs/" + id + "/complete", "{\"leaseToken\":\"" + job.get("leaseToken").asString() + "\"}");
        assertThat(api.send(delete("/api/job-types/gone-soon")).status()).isEqualTo(204);
        assertThat(api.post("/api/jobs", "{\"type\":\"gone-soon\",\"payload\":{}}").status()).isEqualTo(400);

        ConcurrentHashMap<String, Integer> statuses = new ConcurrentHashMap<>();
        statuses.put("max 0", claim("bad", "{\"types\":[\"thumb\"],\"max\":0}").status());
        statuses.put("max 2000", claim("bad", "{\"types\":[\"thumb\"],\"max\":2000}").status());
        statuses.put("wait 1h", claim("bad", "{\"types\":[\"thumb\"],\"wait\":\"1h\"}").status());
        statuses.put("no types", claim("bad", "{\"max\":1}").status());
        statuses.put("unknown field", claim("bad", "{\"types\":[\"thumb\"],\"maxx\":1}").status());
        statuses.put("bad worker id", claim("bad%20id", "{\"types\":[\"thumb\"]}").status());
        statuses.put("malformed lease", api.post("/api/jobs/x/complete", "{\"leaseToken\":\"nope\"}").status());
        statuses.put("schema", api.send(put("/api/job-types/broken", "{\"payloadSchema\":{\"type\":\"nonsense\"}}")).status());
        statuses.put("remote ref", api.send(put("/api/job-types/broken",
                "{\"payloadSchema\":{\"$ref\":\"http://169.254.169.254/x\"}}")).status());
        statuses.put("local name", api.send(put("/api/job-types/echo", "{\"payloadSchema\":true}")).status());
        assertThat(statuses).allSatisfy((what, status) -> assertThat(status).as(what).isIn(400, 409));
        assertThat(statuses.get("local name")).isEqualTo(409);
        assertThat(api.post("/api/workers/nobody/beat", "{}").status()).isEqualTo(404);
        assertThat(redis.hasKey(keys.node(RedisKeys.remoteMember("bad")))).isFalse();
        assertThat(redis.hasKey(keys.jobType("broken"))).isFalse();
    }

    Api.Response claim(String worker, String body) {
        return api.post("/api/workers/" + worker + "/claim", body);
    }

    void assertTokens(String worker, int slots) {
        String member = RedisKeys.remoteMember(worker);
        long free = redis.opsForList().size(keys.freeWorkers(member));
        assertThat(free + leased(member)).as("free + leased of " + worker).isEqualTo(slots);
    }

    /** The jobs a worker leases, in every partition (its tokens are in partition 0's list). */
    long leased(String member) {
        return partitions.all().stream().mapToLong(part -> redis.opsForZSet().size(part.leases(member))).sum();
    }

    @org.springframework.beans.factory.annotation.Autowired
    dev.sluice.queue.Partitions partitions;

    private java.net.http.HttpRequest.Builder put(String path, String json) {
        return java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json));
    }

    private java.net.http.HttpRequest.Builder delete(String path) {
        return java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path)).DELETE();
    }

    private static JsonNode find(JsonNode types, String name) {
        return types.valueStream().filter(t -> t.get("type").asString().equals(name)).findFirst().orElseThrow();
    }

    /** Each test works its own type, so what one leaves queued is never claimed by another. */
    void type(String name) {
        assertThat(api.send(put("/api/job-types/" + name, "{\"payloadSchema\":true}")).status()).isEqualTo(200);
    }
}
