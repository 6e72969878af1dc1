package dev.sluice.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * The closing check of every reliability test: each accepted job reached a final state and ran at
 * least once, and every live node's tokens add up.
 */
public final class Ledger {

    private static final Set<String> FINAL = Set.of("succeeded", "failed", "dead", "cancelled");

    private Ledger() {
    }

    /** Asserts every job is final and delivered ≥ 1 time; returns how many were delivered more than once. */
    public static int check(Api api, Collection<String> ids) {
        int redelivered = 0;
        for (String id : ids) {
            JsonNode job = api.job(id);
            assertThat(job.get("state").asString()).as("job %s", id).isIn(FINAL);
            assertThat(job.get("attempts").asInt()).as("deliveries of job %s", id).isGreaterThanOrEqualTo(1);
            if (job.get("attempts").asInt() > 1) {
                redelivered++;
            }
        }
        JsonNode nodes = api.get("/api/queues").json().get("nodes");
        for (JsonNode node : nodes) {
            assertThat(node.get("freeWorkers").asLong() + node.get("runningJobs").asLong())
                    .as("free + running on node %s", node.get("id").asString())
                    .isEqualTo(node.get("poolSize").asLong());
        }
        return redelivered;
    }

    public static List<String> nodeIds(Api api) {
        return api.get("/api/queues").json().get("nodes").valueStream().map(n -> n.get("id").asString()).toList();
    }
}
