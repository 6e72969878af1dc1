package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;
import dev.sluice.support.ProbeJob;

@TestPropertySource(properties = {"sluice.retry.backoff=50ms", "sluice.retry.max-backoff=200ms"})
class RetryAndDeadLetterTests extends IntegrationTest {

    @AfterEach
    void resetProbe() {
        probe.reset();
    }

    @Test
    void aFlakyJobIsRetriedWithBackOffAndSucceedsOnItsThirdAttempt() {
        String id = api.submit("{\"type\":\"flaky\",\"payload\":{\"failures\":2}}");

        JsonNode done = await().atMost(Duration.ofSeconds(10)).until(() -> api.job(id),
                job -> job.get("state").asString().equals("succeeded"));

        assertThat(done.get("attempts").asInt()).isEqualTo(3);
        assertThat(done.get("result").get("succeededOnAttempt").asInt()).isEqualTo(3);
        assertThat(done.get("error").isNull()).as("a success clears the last attempt's error").isTrue();
    }

    @Test
    void aRetryingJobShowsItsLastErrorWhileItWaits() {
        String id = api.submit("{\"type\":\"flaky\",\"maxAttempts\":3,\"payload\":{\"failures\":1}}");
        probe.reset();

        JsonNode done = api.get("/api/jobs/" + id + "?wait=10s").json();
        assertThat(done.get("state").asString()).isEqualTo("succeeded");
        assertThat(done.get("attempts").asInt()).isEqualTo(2);
    }

    @Test
    void aJobThatFailsEveryAttemptGoesToTheDeadLettersAndTheRetryEndpointRunsItAgain() {
        String id = api.submit(ProbeJob.failing("doomed", 3));

        JsonNode dead = await().atMost(Duration.ofSeconds(10)).until(() -> api.job(id),
                job -> job.get("state").asString().equals("dead"));
        assertThat(dead.get("attempts").asInt()).isEqualTo(3);
        assertThat(dead.get("error").get("type").asString()).isEqualTo("Unhealed");
        assertThat(dead.get("finishedAt").isNull()).isFalse();
        assertThat(probe.executions(id)).isEqualTo(3);
        JsonNode letters = api.get("/api/jobs?state=dead").json();
        assertThat(letters.get("items").valueStream().map(j -> j.get("id").asString())).contains(id);

        probe.heal();
        Api.Response retried = api.post("/api/jobs/" + id + "/retry", "");

        assertThat(retried.status()).isEqualTo(202);
        assertThat(retried.location()).isEqualTo("/api/jobs/" + id);
        assertThat(retried.json().get("state").asString()).isIn("queued", "running", "succeeded");
        JsonNode done = api.get("/api/jobs/" + id + "?wait=10s").json();
        assertThat(done.get("state").asString()).isEqualTo("succeeded");
        assertThat(done.get("attempts").asInt()).as("a retried job starts its attempts anew").isEqualTo(1);
        assertThat(done.get("result").asString()).isEqualTo("doomed#1");
        assertThat(api.get("/api/jobs?state=dead").json().get("items").valueStream()
                .map(j -> j.get("id").asString())).doesNotContain(id);
    }

    @Test
    void aSingleAttemptJobEndsFailedAndCanBeRetriedToo() {
        String id = api.submit(ProbeJob.failing("once", 1));
        assertThat(api.get("/api/jobs/" + id + "?wait=10s").json().get("state").asString()).isEqualTo("failed");

        probe.heal();
        assertThat(api.post("/api/jobs/" + id + "/retry", "").status()).isEqualTo(202);
        assertThat(api.get("/api/jobs/" + id + "?wait=10s").json().get("state").asString()).isEqualTo("succeeded");
    }

    @Test
    void deadLettersArePagedNewestFirst() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = api.submit(ProbeJob.failing("page" + i, 2));
            await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("dead"));
            ids.add(id);
        }

        JsonNode first = api.get("/api/jobs?state=dead&page=0&size=2").json();
        JsonNode third = api.get("/api/jobs?state=dead&page=2&size=2").json();

        assertThat(first.get("total").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(first.get("size").asInt()).isEqualTo(2);
        assertThat(first.get("items").valueStream().map(j -> j.get("id").asString()))
                .containsExactly(ids.get(4), ids.get(3));
        assertThat(third.get("page").asInt()).isEqualTo(2);
        assertThat(third.get("items").size()).isBetween(1, 2);
    }

    @Test
    void onlyDeadFailedOrCancelledJobsCanBeRetried() {
        String id = api.submit("{\"type\":\"add\",\"payload\":{\"x\":1,\"y\":1}}");
        api.get("/api/jobs/" + id + "?wait=10s");

        Api.Response conflict = api.post("/api/jobs/" + id + "/retry", "");

        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.contentType()).startsWith("application/problem+json");
        assertThat(conflict.json().get("type").asString()).isEqualTo("/problems/job-state-conflict");
        assertThat(conflict.json().get("state").asString()).isEqualTo("succeeded");
        assertThat(api.post("/api/jobs/no-such-job/retry", "").status()).isEqualTo(404);
    }

    @Test
    void aListingNeedsAStateItCanList() {
        Api.Response bad = api.get("/api/jobs?state=paused");

        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("errors").get(0).get("field").asString()).isEqualTo("state");
        assertThat(api.get("/api/jobs?state=dead&size=0").status()).isEqualTo(400);
    }
}
