package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

import dev.sluice.jobs.JobIds;

/**
 * The scripts a partitioned namespace adds or uses differently, against real Redis: tokens.lua (the
 * tokens in partition 0), depth.lua (what a partition holds), claim.lua spending given tokens, and the
 * claim cycle across partitions ({@link PartitionedClaims}) through {@link WorkerLedger}.
 */
class PartitionScriptTests extends ScriptTestSupport {

    private Partitions partitions;
    private WorkerLedger partitioned;
    private JobStore partitionedStore;

    @BeforeEach
    void partitioned() {
        partitions = new Partitions("test-partitions-" + UUID.randomUUID(), 3);
        JobEvents events = new JobEvents(redis, partitions, JsonMapper.builder().build(),
                new JobSignals(connections, partitions), new org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler());
        partitioned = new WorkerLedger(redis, partitions, SETTINGS, events);
        partitionedStore = new JobStore(redis, partitions, SETTINGS, events);
        partitioned.heartbeat(node, 3, List.of("w1", "w2", "w3"), List.of(), List.of(), null);
    }

    @AfterEach
    void removePartitions() {
        partitions.all().forEach(part -> redis.delete(redis.keys(part.everything())));
    }

    private List<String> homeTokens() {
        return redis.opsForList().range(partitions.home().freeWorkers(node), 0, -1);
    }

    private String enqueue(int partition, Priority priority) {
        String id = JobIds.next(partition);
        partitionedStore.enqueue(List.of(job(id, priority)));
        return id;
    }

    @Test
    void tokensGoBackOnceAndAreTakenFromPartitionZero() {
        String list = partitions.home().freeWorkers(node);
        assertThat(redis.execute(LuaScripts.CLASSIC.tokens, List.of(list), "2")).hasSize(2); // w1, w2 taken; w3 left
        // a replayed give-back (w1 twice, w3 already there) adds each missing token once
        assertThat(redis.execute(LuaScripts.CLASSIC.tokens, List.of(list), "0", "w1", "w1", "w3")).isEmpty();
        assertThat(homeTokens()).containsExactlyInAnyOrder("w3", "w1");
        assertThat(redis.execute(LuaScripts.CLASSIC.tokens, List.of(list), "5", "w2")).hasSize(3);
        assertThat(homeTokens()).isEmpty();
    }

    @Test
    void depthCountsKeyedJobsAndNothingOfAPausedPriority() {
        RedisKeys part = partitions.get(1);
        enqueue(1, Priority.HIGH);
        String keyed = JobIds.next(1);
        partitionedStore.enqueue(List.of(new NewJob(keyed, "echo", Priority.NORMAL, "{}", 1,
                java.time.Duration.ofSeconds(5), java.time.Duration.ZERO, null, null, false, null, "tenant")));
        List<String> depthKeys = new ArrayList<>(part.queues());
        depthKeys.add(part.retrying());
        depthKeys.add(part.scheduled());
        depthKeys.add(part.paused());
        @SuppressWarnings("unchecked")
        List<Object> depth = redis.execute(LuaScripts.CLASSIC.depth, depthKeys);
        assertThat(depth.subList(1, 5)).containsExactly((Object) (-1L), 1L, 1L, 0L); // nothing due; high, normal, low
        redis.opsForSet().add(part.paused(), "high");
        depth = (List<Object>) redis.execute(LuaScripts.CLASSIC.depth, depthKeys);
        assertThat(depth.subList(2, 5)).containsExactly((Object) 0L, 1L, 0L);
    }

    @Test
    void aCycleSpendsOnlyTheNodesTokensAndGivesTheRestBack() {
        enqueue(2, Priority.NORMAL);
        enqueue(2, Priority.NORMAL);
        WorkerLedger.Claim claim = partitioned.claim(node, 3);
        assertThat(claim.jobs()).hasSize(2);
        assertThat(claim.jobs().stream().map(ClaimedJob::token).distinct()).hasSize(2)
                .allSatisfy(token -> assertThat(token).isIn("w1", "w2", "w3"));
        // the unspent token is back in partition 0; the leases are in the jobs' partition
        assertThat(homeTokens()).hasSize(1);
        assertThat(redis.opsForZSet().size(partitions.get(2).leases(node))).isEqualTo(2);
        assertThat(redis.hasKey(partitions.get(2).freeWorkers(node))).isFalse();

        List<Outcome> done = claim.jobs().stream().map(job -> Outcome.succeeded(job, "1")).toList();
        WorkerLedger.Claim next = partitioned.completeAndClaim(node, done, 3);
        assertThat(next.jobs()).isEmpty();
        assertThat(homeTokens()).containsExactlyInAnyOrder("w1", "w2", "w3");
        assertThat(redis.opsForZSet().size(partitions.get(2).leases(node))).isZero();
        claim.jobs().forEach(job -> assertThat(partitionedStore.find(job.id()).orElseThrow().state())
                .isEqualTo(JobState.SUCCEEDED));
    }

    @Test
    void normalJobsOfEveryPartitionGoBeforeLowOnes() {
        enqueue(0, Priority.LOW);
        enqueue(1, Priority.LOW);
        String normal = enqueue(2, Priority.NORMAL);
        for (int round = 0; round < 3; round++) { // whichever partition the rotation starts with
            partitioned.completeAndClaim(node, List.of(), 0);
        }
        WorkerLedger.Claim claim = partitioned.claim(node, 1);
        assertThat(claim.jobs()).extracting(ClaimedJob::id).containsExactly(normal);
        assertThat(partitioned.claim(node, 2).jobs()).extracting(ClaimedJob::priority)
                .containsOnly(Priority.LOW).hasSize(2);
    }

    @Test
    void aHighJobInAnotherPartitionGoesBeforeNormalOnes() {
        for (int i = 0; i < 3; i++) {
            enqueue(0, Priority.NORMAL);
            enqueue(1, Priority.NORMAL);
        }
        String high = enqueue(2, Priority.HIGH);
        for (int round = 0; round < 3; round++) { // whichever partition the rotation starts with
            WorkerLedger.Claim claim = partitioned.claim(node, 1);
            assertThat(claim.jobs()).hasSize(1);
            if (round == 0) {
                assertThat(claim.jobs().get(0).id()).isEqualTo(high);
            } else {
                assertThat(claim.jobs().get(0).priority()).isEqualTo(Priority.NORMAL);
            }
        }
        assertThat(homeTokens()).isEmpty();
        assertThat(Set.copyOf(partitioned.claim(node, 3).jobs())).isEmpty(); // no token left, nothing claimed
    }
}
