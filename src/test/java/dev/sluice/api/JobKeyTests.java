package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

/** A job's key over HTTP: shown in the job, bounded, and refused with the field named. */
class JobKeyTests extends IntegrationTest {

    @Test
    void aKeyIsShownWithTheJobAndABadOneIsRefusedWritingNothing() {
        String id = api.submit("{\"type\":\"echo\",\"payload\":{},\"key\":\"tenant-42\"}");
        assertThat(api.job(id).get("key").asString()).isEqualTo("tenant-42");
        assertThat(api.get("/api/jobs/" + id + "?wait=5s").json().get("state").asString()).isEqualTo("succeeded");

        java.util.Set<String> before = namespaceKeys();
        for (String bad : List.of("\"\"", "\"two words\"", "\"" + "k".repeat(129) + "\"", "\"tab\\there\"", "42")) {
            Api.Response refused = api.post("/api/jobs", "{\"type\":\"echo\",\"payload\":{},\"key\":" + bad + "}");
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.json().get("errors").get(0).get("field").asString()).as(bad).isEqualTo("key");
        }
        assertThat(namespaceKeys()).isEqualTo(before);
    }

    @Test
    void queuedListingsShowKeyedJobsAndFilterByKeyTypeAndPriority() {
        for (String priority : List.of("high", "normal", "low")) {
            assertThat(api.post("/api/queues/" + priority + "/pause", "").status()).isLessThan(300);
        }
        try {
            List<String> a = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                a.add(api.submit("{\"type\":\"echo\",\"payload\":{},\"key\":\"tenant-a\"}"));
            }
            String b = api.submit("{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":2},\"key\":\"tenant-b\"}");
            String bHigh = api.submit("{\"type\":\"echo\",\"payload\":{},\"key\":\"tenant-b\",\"priority\":\"high\"}");
            String plain = api.submit("{\"type\":\"echo\",\"payload\":{}}");

            // every queued job is listed, keyed ones too (before, only the keyless one was)
            var all = api.get("/api/jobs?state=queued&size=50").json();
            assertThat(all.get("total").asLong()).isEqualTo(6);
            assertThat(ids(all)).containsExactlyInAnyOrder(a.get(0), a.get(1), a.get(2), b, bHigh, plain);
            assertThat(ids(all).get(0)).isEqualTo(bHigh); // high first

            var ofA = api.get("/api/jobs?state=queued&key=tenant-a&size=2").json();
            assertThat(ofA.get("total").asLong()).isEqualTo(3);
            assertThat(ids(ofA)).containsExactly(a.get(0), a.get(1)); // first in, first out, paged
            assertThat(ids(api.get("/api/jobs?state=queued&key=tenant-a&size=2&page=1").json()))
                    .containsExactly(a.get(2));
            assertThat(ids(api.get("/api/jobs?state=queued&key=tenant-b&priority=normal").json())).containsExactly(b);
            assertThat(ids(api.get("/api/jobs?state=queued&type=add").json())).containsExactly(b);
            assertThat(ids(api.get("/api/jobs?state=queued&type=echo&priority=high").json())).containsExactly(bHigh);
            var none = api.get("/api/jobs?state=queued&key=tenant-c").json();
            assertThat(none.get("total").asLong()).isZero();
            assertThat(none.get("partial").asBoolean()).isFalse();

            Api.Response bad = api.get("/api/jobs?state=queued&key=two%20words&priority=urgent&type=");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json().get("errors").valueStream().map(e -> e.get("field").asString()).toList())
                    .containsExactlyInAnyOrder("key", "priority", "type");
        } finally {
            for (String priority : List.of("high", "normal", "low")) {
                api.post("/api/queues/" + priority + "/resume", "");
            }
        }
    }

    @Test
    void finishedStatesFilterByKeyReadingTheJobs() {
        String dead = api.submit("{\"type\":\"fail\",\"payload\":{\"message\":\"no\"},\"maxAttempts\":2,"
                + "\"key\":\"tenant-dead\"}");
        String other = api.submit("{\"type\":\"fail\",\"payload\":{\"message\":\"no\"},\"maxAttempts\":2}");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> api.state(dead).equals("dead") && api.state(other).equals("dead"));
        var ofKey = api.get("/api/jobs?state=dead&key=tenant-dead").json();
        assertThat(ids(ofKey)).containsExactly(dead);
        assertThat(ofKey.get("total").asLong()).isEqualTo(1);
        assertThat(api.get("/api/jobs?state=dead").json().get("total").asLong()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void finishedJobsAreListedNewestFirstFromTheirIndexAndARetriedOneLeavesIt() {
        String first = api.submit("{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1},\"key\":\"hist\"}");
        assertThat(api.get("/api/jobs/" + first + "?wait=5s").json().get("state").asString()).isEqualTo("succeeded");
        String second = api.submit("{\"type\":\"add\",\"payload\":{\"x\":2,\"y\":2},\"key\":\"hist\"}");
        assertThat(api.get("/api/jobs/" + second + "?wait=5s").json().get("state").asString()).isEqualTo("succeeded");
        String failed = api.submit("{\"type\":\"fail\",\"payload\":{\"message\":\"no\"},\"maxAttempts\":1}");
        assertThat(api.get("/api/jobs/" + failed + "?wait=5s").json().get("state").asString()).isEqualTo("failed");

        var succeeded = api.get("/api/jobs?state=succeeded&key=hist").json();
        assertThat(ids(succeeded)).containsExactly(second, first); // newest first
        assertThat(succeeded.get("total").asLong()).isEqualTo(2);
        assertThat(ids(api.get("/api/jobs?state=failed").json())).containsExactly(failed);

        api.post("/api/queues/normal/pause", "");
        try {
            assertThat(api.post("/api/jobs/" + failed + "/retry", "").status()).isEqualTo(202);
            assertThat(ids(api.get("/api/jobs?state=failed").json())).as("a retried job leaves the failed listing")
                    .doesNotContain(failed);
        } finally {
            api.post("/api/queues/normal/resume", "");
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> ids(api.get("/api/jobs?state=failed").json()).contains(failed));
        assertThat(redis.opsForZSet().zCard(keys.finished(dev.sluice.queue.JobState.FAILED))).isEqualTo(1);
    }

    @Test
    void listingsFilterByCreationTimeAndFindAJobByItsIdempotencyKey() {
        String early = api.submit("{\"type\":\"echo\",\"payload\":{},\"key\":\"timed\"}");
        assertThat(api.get("/api/jobs/" + early + "?wait=5s").json().get("state").asString()).isEqualTo("succeeded");
        java.time.Instant cut = java.time.Instant.parse(api.job(early).get("createdAt").asString()).plusMillis(1);
        org.awaitility.Awaitility.await().until(() -> java.time.Instant.now().isAfter(cut.plusMillis(5)));
        Api.Response late = api.post("/api/jobs", "{\"type\":\"echo\",\"payload\":{},\"key\":\"timed\"}",
                "Idempotency-Key", "order-77");
        String lateId = late.json().get("id").asString();
        assertThat(api.get("/api/jobs/" + lateId + "?wait=5s").json().get("state").asString()).isEqualTo("succeeded");

        assertThat(ids(api.get("/api/jobs?state=succeeded&key=timed&createdAfter=" + cut).json())).containsExactly(lateId);
        assertThat(ids(api.get("/api/jobs?state=succeeded&key=timed&createdBefore=" + cut).json())).containsExactly(early);
        assertThat(ids(api.get("/api/jobs?idempotencyKey=order-77").json())).containsExactly(lateId);
        assertThat(ids(api.get("/api/jobs?idempotencyKey=order-78").json())).isEmpty();
        Api.Response badLookup = api.get("/api/jobs?idempotencyKey=order-77&submitter=a%20b");
        assertThat(badLookup.status()).isEqualTo(400);
        assertThat(badLookup.json().get("errors").get(0).get("field").asString()).isEqualTo("submitter");

        Api.Response bad = api.get("/api/jobs?createdAfter=yesterday");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").valueStream().map(e -> e.get("field").asString()).toList())
                .containsExactlyInAnyOrder("state", "createdAfter");
    }

    @Test
    void finishedJobsPageByCursorStablyWhileNewOnesFinish() {
        List<String> submitted = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String id = api.submit("{\"type\":\"echo\",\"payload\":{\"i\":" + i + "},\"key\":\"cursor\"}");
            assertThat(api.get("/api/jobs/" + id + "?wait=5s").json().get("state").asString()).isEqualTo("succeeded");
            submitted.add(id);
        }
        var first = api.get("/api/jobs?state=succeeded&key=cursor&size=3&cursor=").json();
        assertThat(ids(first)).containsExactly(submitted.get(6), submitted.get(5), submitted.get(4));
        // a job finishing between pages does not shift the next page (no offset)
        String newer = api.submit("{\"type\":\"echo\",\"payload\":{},\"key\":\"cursor\"}");
        assertThat(api.get("/api/jobs/" + newer + "?wait=5s").json().get("state").asString()).isEqualTo("succeeded");
        var second = api.get("/api/jobs?state=succeeded&key=cursor&size=3&cursor=" + first.get("nextCursor").asString()).json();
        assertThat(ids(second)).containsExactly(submitted.get(3), submitted.get(2), submitted.get(1));
        var third = api.get("/api/jobs?state=succeeded&key=cursor&size=3&cursor=" + second.get("nextCursor").asString()).json();
        assertThat(ids(third)).containsExactly(submitted.get(0));
        assertThat(third.get("nextCursor").isNull()).isTrue();

        assertThat(api.get("/api/jobs?state=queued&cursor=").status()).isEqualTo(400);
        Api.Response bad = api.get("/api/jobs?state=succeeded&cursor=not-a-cursor");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").get(0).get("field").asString()).isEqualTo("cursor");
    }

    private static List<String> ids(tools.jackson.databind.JsonNode page) {
        return page.get("items").valueStream().map(job -> job.get("id").asString()).toList();
    }
}
