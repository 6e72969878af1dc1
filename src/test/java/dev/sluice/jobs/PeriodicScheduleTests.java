package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sluice.queue.RedisKeys;
import dev.sluice.support.TestNode;
import dev.sluice.support.TestRedis;

/** Two nodes run the same every-second schedule; each second's job must be enqueued once. */
class PeriodicScheduleTests {

    private final String namespace = "test-" + UUID.randomUUID();
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        TestNode any = nodes.get(0);
        any.redis().delete(any.redis().keys(any.keys().everything()));
        nodes.forEach(TestNode::close);
    }

    @Test
    void aScheduleFiresOncePerPeriodHoweverManyNodesRun() {
        String[] schedule = {"sluice.schedules[0].name=tick", "sluice.schedules[0].cron=* * * * * *",
                "sluice.schedules[0].type=echo", "sluice.schedules[0].payload={\"from\":\"schedule\"}",
                "sluice.schedules[0].priority=low"};
        nodes.add(TestNode.start(TestRedis.url(), namespace, schedule));
        nodes.add(TestNode.start(TestRedis.url(), namespace, schedule));
        RedisKeys keys = nodes.get(0).keys();

        await().atMost(Duration.ofSeconds(15)).until(() -> firings(keys).size() >= 4);

        // A firing's idempotency key and its job are written in one script, so read around the jobs:
        // a duplicate would push the job count past the firings that exist afterwards.
        int before = firings(keys).size();
        Set<String> jobs = nodes.get(0).redis().keys(keys.job("*"));
        int after = firings(keys).size();
        assertThat(jobs.size()).as("exactly one job per period fired").isBetween(before, after);
        assertThat(jobs).allSatisfy(key -> {
            assertThat(nodes.get(0).redis().opsForHash().get(key, "type")).isEqualTo("echo");
            assertThat(nodes.get(0).redis().opsForHash().get(key, "priority")).isEqualTo("low");
        });
    }

    private Set<String> firings(RedisKeys keys) {
        return nodes.get(0).redis().keys(keys.idempotency("schedules", "tick:*"));
    }
}
