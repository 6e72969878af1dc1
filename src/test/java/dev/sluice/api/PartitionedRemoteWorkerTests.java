package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.queue.RedisKeys;

/**
 * Every remote-worker test again on a namespace of three partitions: the worker's tokens stay in
 * partition 0 while its jobs' lanes, leases and outcomes are in theirs (claims under a per-worker lock,
 * freed tokens given back by the node that ran the script, registration in every partition); and what
 * only partitions have: a token lost between a lease's end and its give-back (with one partition a
 * lease's end gives its token back in the same script).
 */
@TestPropertySource(properties = "sluice.partitions=3")
class PartitionedRemoteWorkerTests extends RemoteWorkerTests {

    /**
     * A node that dies between ending a lease in another partition and giving the
     * token back (simulated: the token leaves the list and is nowhere) costs the worker a slot; its next
     * claim while it holds nothing mends the list, and the lost token, given back late after all, is
     * dropped (its generation is old): the worker never runs more jobs than its slots.
     */
    @Test
    void aSlotLostBetweenALeasesEndAndItsGiveBackIsMendedAndALateGiveBackAddsNothing() {
        type("mend");
        String member = RedisKeys.remoteMember("mender");
        assertThat(claim("mender", "{\"types\":[\"mend\"],\"max\":2,\"slots\":2}").status()).isEqualTo(204);
        String lost = redis.opsForList().leftPop(keys.freeWorkers(member));
        assertThat(lost).isNotNull();
        for (int i = 0; i < 3; i++) {
            api.submit("{\"type\":\"mend\",\"payload\":{\"n\":" + i + "}}");
        }
        JsonNode claimed = claim("mender", "{\"types\":[\"mend\"],\"max\":2}").json();
        assertThat(claimed.size()).as("jobs for a worker of 2 slots that had lost one").isEqualTo(2);
        assertTokens("mender", 2);
        assertThat(leased(member)).isEqualTo(2);

        // the dead node's give-back arrives after all: tokens.lua as RemoteLedger and NodeRecovery call it
        redis.execute(org.springframework.data.redis.core.script.RedisScript.of(script("_prelude") + "\n"
                + script("tokens"), List.class), List.of(keys.freeWorkers(member), keys.node(member)), "0", lost);
        assertThat(redis.opsForList().size(keys.freeWorkers(member))).as("free tokens after the late give-back").isZero();
        assertThat(claim("mender", "{\"types\":[\"mend\"],\"max\":2}").status()).isEqualTo(204);
        assertTokens("mender", 2);
    }

    private static String script(String name) {
        try (var in = new org.springframework.core.io.ClassPathResource("redis/" + name + ".lua").getInputStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
