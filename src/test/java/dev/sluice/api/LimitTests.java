package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
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

/** Concurrency caps set over HTTP, obeyed by the node's 8 workers, shown in /api/queues. */
@TestPropertySource(properties = {"sluice.workers.pool-size=8", "sluice.limits.types.square.concurrency=5"})
class LimitTests extends IntegrationTest {

    @AfterEach
    void resetProbe() {
        probe.reset();
    }

    @Test
    void aCappedTypeNeverRunsMoreThanItsCapWhileOthersUseTheRestOfThePool() {
        Api.Response set = api.send(put("/api/job-types/" + probe.type() + "/limits", "{\"concurrency\":3}"));
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("concurrency").asInt()).isEqualTo(3);

        // all at once (one batch), so the capped type has more jobs waiting than its cap allows to run
        StringBuilder batch = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < 24; i++) {
            batch.append(i == 0 ? "" : ",").append(ProbeJob.json("p" + i, 150, false, "normal"))
                    .append(",{\"type\":\"sleep\",\"payload\":{\"duration\":\"150ms\"}}");
        }
        Api.Response submitted = api.post("/api/jobs/batch", batch.append("]}").toString());
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
        List<String> ids = submitted.json().get("ids").valueStream().map(JsonNode::asString).toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode limits = api.get("/api/queues").json().get("limits").get(probe.type());
            return limits != null && limits.get("parked").asInt() > 0;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> api.state(id).equals("succeeded")));

        assertThat(probe.maxRunning()).isEqualTo(3);
        JsonNode limits = api.get("/api/queues").json().get("limits").get(probe.type());
        assertThat(limits.get("running").asInt()).isZero();
        assertThat(limits.get("parked").asInt()).isZero();
        // from the settings
        assertThat(api.get("/api/job-types/square/limits").json().get("concurrency").asInt()).isEqualTo(5);
    }

    @Test
    void aRateIsNeverExceededInAnyWindowAndWaitingJobsHoldNoWorker() {
        Api.Response set = api.send(put("/api/job-types/add/limits", "{\"rate\":{\"limit\":20,\"period\":\"1s\"}}"));
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("rate").get("limit").asInt()).isEqualTo(20);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            ids.add(api.submit("{\"type\":\"add\",\"payload\":{\"x\":" + i + ",\"y\":1}}"));
        }
        // while jobs wait for their slot of the rate, every worker is free (they hold none)
        await().atMost(Duration.ofSeconds(3)).until(() -> ids.stream().anyMatch(id -> api.state(id).equals("scheduled"))
                && api.get("/api/queues").json().get("nodes").get(0).get("freeWorkers").asInt() == 8);
        // the rate in use is shown: never more than the limit, and the limit reached while jobs wait
        await().atMost(Duration.ofSeconds(3)).until(() -> {
            JsonNode rate = api.get("/api/queues").json().get("limits").get("add").get("rate");
            assertThat(rate.get("used").asInt()).isLessThanOrEqualTo(20);
            return rate.get("used").asInt() >= 15 && rate.get("limit").asInt() == 20
                    && rate.get("period").asString().equals("1s");
        });
        await().atMost(Duration.ofSeconds(15)).until(() -> ids.stream().allMatch(id -> api.state(id).equals("succeeded")));

        List<Long> starts = ids.stream().map(id -> java.time.Instant.parse(api.job(id).get("startedAt").asString())
                .toEpochMilli()).sorted().toList();
        for (int i = 0; i < starts.size(); i++) {
            long from = starts.get(i);
            long inWindow = starts.stream().filter(t -> t >= from && t < from + 1000).count();
            assertThat(inWindow).as("starts in the second from %d", from).isLessThanOrEqualTo(20);
        }
        assertThat(starts.get(starts.size() - 1) - starts.get(0)).as("60 at 20 per second take two seconds and more")
                .isGreaterThanOrEqualTo(2000);
        ids.forEach(id -> assertThat(api.job(id).get("attempts").asInt()).isEqualTo(1));
    }

    @Test
    void badLimitsAreRefusedAndChangeNothing() {
        for (String body : List.of("{\"concurrency\":0}", "{\"concurrency\":-1}", "{\"perKeyConcurrency\":100001}",
                "{\"concurrency\":\"3\"}", "{\"rate\":{\"limit\":1}}", "{\"rate\":{\"limit\":1,\"period\":\"0s\"}}",
                "{\"rate\":{\"limit\":1,\"period\":\"2d\"}}", "{\"perKeyRate\":{\"limit\":0,\"period\":\"1s\"}}",
                "{\"ratee\":1}")) {
            Api.Response refused = api.send(put("/api/job-types/echo/limits", body));
            assertThat(refused.status()).as(body).isEqualTo(400);
        }
        assertThat(api.send(put("/api/job-types/no-such-type/limits", "{\"concurrency\":1}")).status()).isEqualTo(404);
        assertThat(api.get("/api/job-types/echo/limits").json().get("concurrency").isNull()).isTrue();
    }

    private HttpRequest.Builder put(String path, String json) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json));
    }
}
