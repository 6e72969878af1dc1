package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import dev.sluice.jobs.JobIds;
import dev.sluice.support.RedisProcesses;

/**
 * The claim cycle pipelines complete.lua with claim.lua (one partition) or tokens.lua (several), by
 * EVALSHA. When Redis lacks some of them (after a restart, or a failover to a replica that never ran
 * them, another node may have loaded only some since), the pipeline fails on one call while the other
 * ran. The cycle done again one call at a time must keep what that call did: the jobs claim.lua claimed
 * (they were claimed past, and sat leased to a node that did not run them until their lease ran out),
 * the tokens tokens.lua took (they were dropped: a worker less until the heartbeat repaired the list).
 * A fresh private redis-server gives that state: the first claim loads claim.lua (or tokens.lua and
 * depth.lua), nothing loads complete.lua before the first completion.
 */
class LostScriptCacheTests {

    private static final String NODE = "node-a";
    private RedisProcesses processes;
    private RedisProcesses.Server server;
    private LettuceConnectionFactory factory;
    private StringRedisTemplate redis;

    @BeforeEach
    void freshServer() {
        processes = new RedisProcesses();
        server = processes.server();
        factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", server.port()));
        factory.afterPropertiesSet();
        factory.start();
        redis = new StringRedisTemplate(factory);
    }

    @AfterEach
    void stop() {
        factory.destroy();
        processes.close();
    }

    private record Parts(WorkerLedger ledger, JobStore store) {
    }

    private Parts parts(Partitions partitions) {
        JobEvents events = new JobEvents(redis, partitions, JsonMapper.builder().build(),
                new JobSignals(factory, partitions), new ThreadPoolTaskScheduler());
        return new Parts(new WorkerLedger(redis, partitions, ScriptTestSupport.SETTINGS, events),
                new JobStore(redis, partitions, ScriptTestSupport.SETTINGS, events));
    }

    private boolean loaded(org.springframework.data.redis.core.script.RedisScript<?> script) {
        return server.cli("script", "exists", script.getSha1()).strip().equals("1");
    }

    @Test
    void oneCycleKeepsTheJobsItsPipelinedClaimTook() {
        Partitions partitions = new Partitions("test-" + UUID.randomUUID(), 1);
        Parts parts = parts(partitions);
        parts.ledger().heartbeat(NODE, 3, List.of("w1", "w2", "w3"), List.of(), List.of(), null);
        List<String> ids = List.of(JobIds.next(0), JobIds.next(0), JobIds.next(0), JobIds.next(0));
        parts.store().enqueue(ids.stream().map(id -> ScriptTestSupport.job(id, Priority.NORMAL)).toList());
        WorkerLedger.Claim first = parts.ledger().claim(NODE, 2); // w3 stays free
        assertThat(first.jobs()).hasSize(2);
        assertThat(loaded(LuaScripts.CLASSIC.complete)).isFalse();

        WorkerLedger.Claim next = parts.ledger().completeAndClaim(NODE,
                first.jobs().stream().map(job -> Outcome.succeeded(job, "1")).toList(), 3);
        // every job this node holds a lease on is one it was handed to run
        Set<String> leased = redis.opsForZSet().range(partitions.home().leases(NODE), 0, -1);
        Set<String> handed = next.jobs().stream().map(ClaimedJob::id).collect(Collectors.toSet());
        assertThat(handed).isNotEmpty();
        assertThat(leased).containsExactlyInAnyOrderElementsOf(handed);
        first.jobs().forEach(job -> assertThat(parts.store().find(job.id()).orElseThrow().state())
                .isEqualTo(JobState.SUCCEEDED));
        long free = redis.opsForList().size(partitions.home().freeWorkers(NODE));
        assertThat(free + leased.size()).as("free + leased tokens").isEqualTo(3);
    }

    @Test
    void aPartitionedCycleKeepsTheTokensItsPipelineTook() {
        Partitions partitions = new Partitions("test-" + UUID.randomUUID(), 3);
        Parts parts = parts(partitions);
        parts.ledger().heartbeat(NODE, 3, List.of("w1", "w2", "w3"), List.of(), List.of(), null);
        parts.store().enqueue(List.of(ScriptTestSupport.job(JobIds.next(2), Priority.NORMAL),
                ScriptTestSupport.job(JobIds.next(2), Priority.NORMAL)));
        WorkerLedger.Claim claim = parts.ledger().claim(NODE, 3);
        assertThat(claim.jobs()).hasSize(2);
        assertThat(loaded(LuaScripts.CLASSIC.complete)).isFalse();

        WorkerLedger.Claim next = parts.ledger().completeAndClaim(NODE,
                claim.jobs().stream().map(job -> Outcome.succeeded(job, "1")).toList(), 3);
        assertThat(next.jobs()).isEmpty();
        assertThat(redis.opsForList().range(partitions.home().freeWorkers(NODE), 0, -1))
                .containsExactlyInAnyOrder("w1", "w2", "w3");
        claim.jobs().forEach(job -> assertThat(parts.store().find(job.id()).orElseThrow().state())
                .isEqualTo(JobState.SUCCEEDED));
    }
}
