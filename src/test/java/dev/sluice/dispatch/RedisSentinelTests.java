package dev.sluice.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.sluice.support.FailoverLoad;
import dev.sluice.support.Ledger;
import dev.sluice.support.ProbeJob;
import dev.sluice.support.RedisProcesses;
import dev.sluice.support.RedisProcesses.Server;
import dev.sluice.support.TestNode;

/**
 * Sluice behind Redis Sentinel (1 master, 1 replica, 3 sentinels on loopback, started by the test) with
 * {@code sluice.durability.replicas: 1}: the master is killed with SIGKILL while clients submit and
 * workers run; the sentinels promote the replica, Sluice follows it without a restart, and no job
 * answered 2xx is lost.
 */
class RedisSentinelTests {

    private final String namespace = "test-" + UUID.randomUUID();
    private final RedisProcesses redis = new RedisProcesses();
    private final List<TestNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(TestNode::close);
        redis.close();
    }

    @Test
    void sluiceFollowsAFailoverAndLosesNoAcceptedJob() throws InterruptedException {
        Server master = redis.server();
        Server replica = redis.replicaOf(master);
        List<Server> sentinels = redis.sentinels("sluice-master", master, 3);
        await().atMost(Duration.ofSeconds(20)).until(() -> sentinels.stream().allMatch(s ->
                s.cli("sentinel", "replicas", "sluice-master").contains(Integer.toString(replica.port()))));
        for (int i = 0; i < 2; i++) {
            nodes.add(TestNode.startConfigured(namespace, "spring.data.redis.sentinel.master=sluice-master",
                    "spring.data.redis.sentinel.nodes=" + RedisProcesses.addresses(sentinels),
                    "sluice.durability.replicas=1", "sluice.durability.timeout=500ms",
                    "sluice.workers.pool-size=4", "sluice.dispatch.lease=3s", "sluice.dispatch.heartbeat=500ms",
                    "sluice.dispatch.reaper-interval=500ms"));
        }
        TestNode a = nodes.get(0);
        TestNode b = nodes.get(1);
        Set<String> accepted;
        long promotedMs;
        try (FailoverLoad load = new FailoverLoad(List.of(a.api(), b.api()), 6, 5_000,
                ProbeJob.json("s", 5, false, "normal"))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> load.acceptedCount() >= 200);
            long killedAt = System.nanoTime();
            master.kill();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(replica::isMaster);
            // Restart the old master (it has no persistence: it comes back empty) only once every sentinel
            // names the new one, as Redis's docs require: clients asking a sentinel in between would be
            // sent to the empty server (a first run of this test did exactly that, and the nodes said
            // "Redis no longer holds this namespace's data").
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> sentinels
                    .stream().allMatch(s -> s.cli("sentinel", "get-master-addr-by-name", "sluice-master")
                            .contains(Integer.toString(replica.port()))));
            promotedMs = (System.nanoTime() - killedAt) / 1_000_000;
            master.start(); // the sentinels turn it into the new master's replica
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> replica.onlineReplicas() >= 1);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // once in CI the sentinels had not reconfigured it 30 s later: do what they would have done
                // (what an operator does), so that the new master has the replica durability.replicas needs
                System.out.println("sentinel failover: the sentinels had not made the old master a replica; "
                        + "REPLICAOF sent by the test");
                master.cli("replicaof", "127.0.0.1", Integer.toString(replica.port()));
                await().atMost(Duration.ofSeconds(30)).until(() -> replica.onlineReplicas() >= 1);
            }
            int atRecovery = load.acceptedCount();
            await().atMost(Duration.ofSeconds(60)).until(() -> load.acceptedCount() >= atRecovery + 200);
            accepted = load.stop();
            System.out.printf("sentinel failover: promoted after %d ms; accepted %d, refused %s%n", promotedMs,
                    accepted.size(), load.refusals());
        }
        List<String> ids = List.copyOf(accepted);
        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().untilAsserted(() -> Ledger.check(a.api(), ids));
        long lost = ids.stream().filter(id -> a.probe().executions(id) + b.probe().executions(id) == 0).count();
        long ranTwice = ids.stream().filter(id -> a.probe().executions(id) + b.probe().executions(id) > 1).count();
        System.out.printf("sentinel failover: lost %d, ran more than once %d%n", lost, ranTwice);
        assertThat(lost).as("accepted jobs that never ran").isZero();
        assertThat(ranTwice).as("jobs run twice (in flight at the failover)").isLessThanOrEqualTo(2 * 4 + 10);
        assertThat(master.info("replication")).contains("role:slave");
    }
}
