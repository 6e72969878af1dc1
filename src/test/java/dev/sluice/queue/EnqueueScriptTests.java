package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

import dev.sluice.support.TestProperties;

/** enqueue.lua: new jobs, all or none, with capacity, idempotency, schedules and attached records — against a real Redis, empty and wrong-state paths included. */
class EnqueueScriptTests extends ScriptTestSupport {

    @Test
    void enqueueWritesTheHashAndAppendsTheIdToItsPriorityList() {
        long redisNow = redisTime();
        long createdAt = store.enqueue(List.of(job("a", Priority.LOW), job("b", Priority.LOW), job("c", Priority.HIGH)))
                .toEpochMilli();

        assertThat(createdAt).isBetween(redisNow - 1000, redisNow + 1000);
        assertThat(list(Priority.LOW)).containsExactly("a", "b");
        assertThat(list(Priority.HIGH)).containsExactly("c");
        assertThat(list(Priority.NORMAL)).isEmpty();
        Job stored = store.find("a").orElseThrow();
        assertThat(stored.state()).isEqualTo(JobState.QUEUED);
        assertThat(stored.type()).isEqualTo("echo");
        assertThat(stored.payload()).isEqualTo("{\"n\":1}");
        assertThat(stored.attempts()).isZero();
        assertThat(stored.maxAttempts()).isEqualTo(3);
        assertThat(stored.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(stored.createdAt().toEpochMilli()).isEqualTo(createdAt);
        assertThat(redis.getExpire(keys.job("a"))).isEqualTo(-1);
    }

    @Test
    void enqueueWithADelaySchedulesTheJobAndClaimPromotesItWhenDue() {
        register("w1");
        store.enqueue(List.of(new NewJob("later", "echo", Priority.HIGH, "{}", 3, Duration.ofSeconds(5),
                Duration.ofMillis(200))));

        assertThat(state("later")).isEqualTo(JobState.SCHEDULED);
        assertThat(store.find("later").orElseThrow().runAt()).isNotNull();
        assertThat(list(Priority.HIGH)).isEmpty();
        WorkerLedger.Claim early = ledger.claim(node, 1);
        assertThat(early.jobs()).isEmpty();
        assertThat(early.nextDueIn()).isBetween(Duration.ofMillis(1), Duration.ofMillis(200));

        letRedisTimePass(210);
        assertThat(ledger.claim(node, 1).jobs()).extracting(ClaimedJob::id).containsExactly("later");
        assertThat(redis.opsForZSet().zCard(keys.scheduled())).isZero();
    }

    @Test
    void enqueueWithAKnownIdempotencyKeyWritesNothingAndReturnsWhatWasStored() {
        Enqueue.Options first = Enqueue.Options.NONE.withIdempotency("jobs", "k1", "a", "print-1");
        Enqueue.Options again = Enqueue.Options.NONE.withIdempotency("jobs", "k1", "b", "print-2");

        assertThat(store.enqueue(List.of(job("a", Priority.LOW)), first)).isInstanceOf(Enqueue.Accepted.class);
        assertThat(store.enqueue(List.of(job("b", Priority.LOW)), again)).isEqualTo(new Enqueue.Duplicate("a", "print-1"));

        assertThat(list(Priority.LOW)).containsExactly("a");
        assertThat(redis.hasKey(keys.job("b"))).isFalse();
        assertThat(redis.getExpire(keys.idempotency("jobs", "k1"))).isPositive();
    }

    @Test
    void enqueueOverCapacityWritesNothing() {
        JobStore small = new JobStore(redis, Partitions.single(keys), TestProperties.sluice("queues.capacity", "2",
                "queues.per-priority.high", "1"), events());
        small.enqueue(List.of(job("a", Priority.LOW), job("b", Priority.HIGH)));

        assertThatThrownBy(() -> small.enqueue(List.of(job("c", Priority.LOW))))
                .isInstanceOfSatisfying(QueueFullException.class, e -> {
                    assertThat(e.scope()).isEqualTo("total");
                    assertThat(e.capacity()).isEqualTo(2);
                });
        redis.delete(keys.queue(Priority.LOW));
        assertThatThrownBy(() -> small.enqueue(List.of(job("d", Priority.HIGH))))
                .isInstanceOfSatisfying(QueueFullException.class, e -> assertThat(e.scope()).isEqualTo("high"));
        assertThat(redis.hasKey(keys.job("c"))).isFalse();
        assertThat(redis.hasKey(keys.job("d"))).isFalse();
    }

    @Test
    void enqueueCreatesAnAttachedRecordWithItsJobsAndNeitherWithoutTheOther() {
        Records records = new Records(redis, Partitions.single(keys), JsonMapper.builder().build());
        Enqueue.Record order = records.attach("order", "o1", java.util.Map.of("state", "accepted"), "customer",
                "ada@example.com", Duration.ofHours(1), "timeline", "{\"step\":\"accepted\"}");

        store.enqueue(List.of(job("a", Priority.NORMAL)), Enqueue.Options.NONE.withRecord(order));

        assertThat(records.read("order", "o1")).containsEntry("state", "accepted");
        assertThat(records.indexed("order", "customer", "ada@example.com")).containsExactly("o1");
        assertThat(records.list("order", "o1", "timeline")).containsExactly("{\"step\":\"accepted\"}");
        assertThat(redis.getExpire(keys.record("order", "o1"))).isPositive();

        Enqueue.Record refused = records.attach("order", "o2", java.util.Map.of("state", "accepted"), "customer",
                "ada@example.com", Duration.ofHours(1), "timeline", "x");
        Enqueue.Result duplicate = store.enqueue(List.of(job("b", Priority.NORMAL)), Enqueue.Options.NONE
                .withIdempotency("orders", "k", "o2", "print").withRecord(refused));
        assertThat(duplicate).isInstanceOf(Enqueue.Accepted.class);
        Enqueue.Result replay = store.enqueue(List.of(job("c", Priority.NORMAL)), Enqueue.Options.NONE
                .withIdempotency("orders", "k", "o3", "print").withRecord(records.attach("order", "o3",
                        java.util.Map.of("state", "accepted"), "customer", "ada@example.com", Duration.ofHours(1),
                        "timeline", "x")));
        assertThat(replay).isInstanceOf(Enqueue.Duplicate.class);
        assertThat(records.read("order", "o3")).as("a replayed enqueue writes no record").isEmpty();
        assertThat(redis.hasKey(keys.job("c"))).isFalse();
    }

    @Test
    void aRunAtIsDueByRedisTimeNotByTheCallersClock() {
        long due = redisTime() + 60_000;

        store.enqueue(List.of(new NewJob("at", "echo", Priority.NORMAL, "{}", 3, Duration.ofSeconds(5), Duration.ZERO,
                null, java.time.Instant.ofEpochMilli(due))));

        assertThat(redis.opsForZSet().score(keys.scheduled(), "at")).isEqualTo((double) due);
        assertThat(store.find("at").orElseThrow().runAt().toEpochMilli()).isEqualTo(due);
        assertThat(state("at")).isEqualTo(JobState.SCHEDULED);
    }
}
