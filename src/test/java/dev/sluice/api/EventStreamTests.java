package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.sluice.queue.JobEvents;
import dev.sluice.support.EventStream;
import dev.sluice.support.IntegrationTest;

@TestPropertySource(properties = "sluice.retry.backoff=100ms")
class EventStreamTests extends IntegrationTest {

    @Autowired
    JobEvents jobEvents;

    @AfterEach
    void release() {
        probe.reset();
    }

    @Test
    void aJobsStreamStartsWithItsStateShowsProgressAndEndsWhenItFinishes() {
        String id = api.submit("{\"type\":\"probe\",\"payload\":{\"label\":\"live\",\"gated\":true,\"progress\":true}}");
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(id).equals("running"));

        try (EventStream stream = new EventStream(port, "/api/jobs/" + id + "/events")) {
            EventStream.Event first = stream.next(Duration.ofSeconds(5));
            assertThat(first.name()).isEqualTo("state");
            assertThat(first.data().get("state").asString()).isEqualTo("running");
            assertThat(first.data().get("id").asString()).isEqualTo(id);

            probe.open();

            EventStream.Event progress = stream.next(Duration.ofSeconds(5));
            assertThat(progress.name()).isEqualTo("progress");
            assertThat(progress.data().get("progress").asInt()).isEqualTo(50);
            assertThat(progress.data().get("message").asString()).isEqualTo("halfway");
            EventStream.Event done = stream.next(Duration.ofSeconds(5));
            assertThat(done.data().get("state").asString()).isEqualTo("succeeded");
            await().atMost(Duration.ofSeconds(5)).until(stream::ended);
        }
        assertThat(api.job(id).get("progress").get("percent").asInt()).isEqualTo(50);
    }

    @Test
    void theStreamOfAllJobsDeliversAJobsStatesInOrderAndCanBeFilteredByType() {
        try (EventStream all = new EventStream(port, "/api/events?type=flaky")) {
            await().atMost(Duration.ofSeconds(5)).until(jobEvents::firehose);
            api.submit("{\"type\":\"noop\"}");
            String id = api.submit("{\"type\":\"flaky\",\"payload\":{\"failures\":1}}");

            List<String> states = new ArrayList<>();
            while (!states.contains("succeeded")) {
                EventStream.Event event = all.next(Duration.ofSeconds(10));
                assertThat(event.data().get("type").asString()).isEqualTo("flaky");
                if (event.data().get("id").asString().equals(id)) {
                    states.add(event.data().get("state").asString());
                }
            }

            assertThat(states).containsExactly("queued", "running", "retrying", "queued", "running", "succeeded");
        }
    }

    @Test
    void anUnknownJobsStreamIs404() {
        assertThat(api.get("/api/jobs/no-such-job/events").status()).isEqualTo(404);
    }
}
