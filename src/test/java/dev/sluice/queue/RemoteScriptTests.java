package dev.sluice.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * worker.lua, claim.lua for a remote worker, lease.lua, finish.lua, job-type.lua and the prelude's lanes,
 * against a real Redis: a remote type's jobs live in its lanes (named as RedisKeys names them), a worker's
 * tokens travel with its leases, and stale or repeated reports change nothing.
 */
class RemoteScriptTests extends ScriptTestSupport {

    RemoteLedger remote;

    @BeforeEach
    void remoteLedger() {
        remote = new RemoteLedger(redis, Partitions.single(keys), SETTINGS, events());
        remote.putType("resize", Map.of("schema", "true"));
    }

    private NewJob remoteJob(String id, Priority priority) {
        return new NewJob(id, "resize", priority, "{}", 3, Duration.ofSeconds(5), Duration.ZERO, null, null, true);
    }

    private void registerWorker(String worker, int slots) {
        assertThat(remote.register(worker, slots, "", List.of("resize")).status()).isEqualTo(RemoteLedger.Status.OK);
    }

    private long free(String worker) {
        return redis.opsForList().size(keys.freeWorkers(RedisKeys.remoteMember(worker)));
    }

    private long leased(String worker) {
        return redis.opsForZSet().size(keys.leases(RedisKeys.remoteMember(worker)));
    }

    @Test
    void aRemoteTypesJobsWaitInItsLanesWhichNodesNeverPop() {
        store.enqueue(List.of(remoteJob("r1", Priority.HIGH), remoteJob("r2", Priority.LOW), job("local", Priority.HIGH)));

        assertThat(redis.opsForList().range(keys.lane("resize", Priority.HIGH), 0, -1)).containsExactly("r1");
        assertThat(redis.opsForList().range(keys.lane("resize", Priority.LOW), 0, -1)).containsExactly("r2");
        assertThat(list(Priority.HIGH)).containsExactly("local");
        register("n1");
        assertThat(ledger.claim(node, 8).jobs()).extracting(ClaimedJob::id).containsExactly("local");
    }

    @Test
    void aTypeThatIsGoneRefusesTheWholeEnqueue() {
        assertThat(remote.deleteType("resize").removed()).isTrue();
        try {
            store.enqueue(List.of(job("local", Priority.HIGH), remoteJob("r1", Priority.HIGH)));
            throw new AssertionError("enqueue of a removed type was accepted");
        } catch (UnknownRemoteTypeException e) {
            assertThat(e.type()).isEqualTo("resize");
        }
        assertThat(list(Priority.HIGH)).isEmpty();
        assertThat(redis.hasKey(keys.job("local"))).isFalse();
    }

    @Test
    void aClaimSpendsOnlyTheWorkersTokensAndEachFinishReturnsOneOnce() {
        store.enqueue(List.of(remoteJob("r1", Priority.NORMAL), remoteJob("r2", Priority.NORMAL),
                remoteJob("r3", Priority.NORMAL)));
        registerWorker("w", 2);

        List<RemoteLedger.RemoteClaim> claimed = remote.claim("w", List.of("resize"), 5);
        assertThat(claimed).hasSize(2);
        assertThat(free("w")).isZero();
        assertThat(leased("w")).isEqualTo(2);
        assertThat(remote.claim("w", List.of("resize"), 5)).isEmpty();

        RemoteLedger.RemoteClaim first = claimed.get(0);
        RemoteLedger.RemoteOutcome done = new RemoteLedger.RemoteOutcome(first.job().id(), first.lease(), "succeeded",
                "1", null, null, Duration.ZERO);
        assertThat(remote.finish("w", "", List.of(done))).extracting(RemoteLedger.Finished::status)
                .containsExactly(RemoteLedger.FinishStatus.OK);
        assertThat(remote.finish("w", "", List.of(done))).extracting(RemoteLedger.Finished::status)
                .containsExactly(RemoteLedger.FinishStatus.REPLAY);
        assertThat(free("w") + leased("w")).isEqualTo(2);
        assertThat(free("w")).isEqualTo(1);

        // a forged lease (right worker and attempt, wrong lease) changes nothing
        RemoteLedger.RemoteClaim second = claimed.get(1);
        RemoteLease forged = new RemoteLease("w", second.lease().attempt(), "AAAAAAAAAAAAAAAAAAAAAA.1");
        assertThat(remote.finish("w", "", List.of(new RemoteLedger.RemoteOutcome(second.job().id(), forged,
                "succeeded", "1", null, null, Duration.ZERO)))).extracting(RemoteLedger.Finished::status)
                .containsExactly(RemoteLedger.FinishStatus.STALE);
        assertThat(state(second.job().id())).isEqualTo(JobState.RUNNING);
        assertThat(free("w") + leased("w")).isEqualTo(2);
    }

    @Test
    void theReaperGivesALiveWorkersTokenBackWithItsLapsedJobAndRemovesASilentWorker() {
        store.enqueue(List.of(remoteJob("r1", Priority.NORMAL)));
        registerWorker("live", 1);
        RemoteLedger.RemoteClaim claim = remote.claim("live", List.of("resize"), 1).get(0);
        redis.opsForZSet().add(keys.leases(RedisKeys.remoteMember("live")), "r1", 0); // its lease lapses

        recovery.reap("reaper");

        assertThat(state("r1")).isEqualTo(JobState.QUEUED);
        assertThat(redis.opsForList().range(keys.lane("resize", Priority.NORMAL), 0, -1)).containsExactly("r1");
        assertThat(free("live")).isEqualTo(1);
        assertThat(leased("live")).isZero();
        assertThat(remote.renew("r1", claim.lease(), null, null, "").status()).isEqualTo(RemoteLedger.RenewalStatus.STALE);

        // a worker silent for longer than a lease: its registration, tokens and leases go, its job comes back
        remote.claim("live", List.of("resize"), 1);
        redis.opsForZSet().add(keys.nodes(), RedisKeys.remoteMember("live"), 0);
        redis.delete(keys.reaperLock()); // a new tick
        recovery.reap("reaper");
        assertNodeGone(RedisKeys.remoteMember("live"));
        assertThat(state("r1")).isEqualTo(JobState.QUEUED);
    }

    @Test
    void aReleaseOrACancelAtRenewalEndsTheLeaseAndReturnsTheToken() {
        store.enqueue(List.of(remoteJob("r1", Priority.NORMAL), remoteJob("r2", Priority.NORMAL)));
        registerWorker("w", 2);
        List<RemoteLedger.RemoteClaim> claimed = remote.claim("w", List.of("resize"), 2);

        RemoteLedger.RemoteClaim first = claimed.get(0);
        assertThat(remote.finish("w", "", List.of(new RemoteLedger.RemoteOutcome(first.job().id(), first.lease(),
                "released", null, null, null, Duration.ZERO)))).extracting(RemoteLedger.Finished::state)
                .containsExactly("queued");
        assertThat(store.find(first.job().id()).orElseThrow().attempts()).isZero();
        assertThat(redis.opsForList().range(keys.lane("resize", Priority.NORMAL), 0, 0)).containsExactly(first.job().id());

        RemoteLedger.RemoteClaim second = claimed.get(1);
        operations.cancel(second.job().id(), Duration.ofHours(1));
        assertThat(remote.renew(second.job().id(), second.lease(), 10, "x", "").status())
                .isEqualTo(RemoteLedger.RenewalStatus.CANCELLED);
        assertThat(state(second.job().id())).isEqualTo(JobState.CANCELLED);
        assertThat(free("w")).isEqualTo(2);
        assertThat(leased("w")).isZero();
    }

    @Test
    void slotsChangeOnlyWhileTheWorkerHoldsNothingAndAnotherKeyCannotTakeItsId() {
        store.enqueue(List.of(remoteJob("r1", Priority.NORMAL)));
        registerWorker("w", 2);
        remote.claim("w", List.of("resize"), 1);

        RemoteLedger.Registration busy = remote.register("w", 4, "", List.of("resize"));
        assertThat(busy.status()).isEqualTo(RemoteLedger.Status.BUSY);
        assertThat(free("w") + leased("w")).isEqualTo(2);
        assertThat(remote.register("w", 2, "someone-else", List.of("resize")).status())
                .isEqualTo(RemoteLedger.Status.OWNED);
        assertThat(remote.register("nobody", null, "", List.of()).status()).isEqualTo(RemoteLedger.Status.UNKNOWN);
        assertThat(redis.hasKey(keys.node(RedisKeys.remoteMember("nobody")))).isFalse();
    }
}
