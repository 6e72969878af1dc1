package dev.sluice.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.queue.QueueInspector;
import dev.sluice.queue.QueueStats;

@RestController
@RequestMapping("/api/queues")
@Tag(name = "queues", description = "Queue depths and worker capacity")
class QueueController {

    private final QueueInspector inspector;

    QueueController(QueueInspector inspector) {
        this.inspector = inspector;
    }

    @GetMapping
    @Operation(summary = "Queue depths, running jobs and every node's workers",
            description = "Per node, freeWorkers + runningJobs = poolSize when its bookkeeping is consistent.")
    QueuesView queues() {
        QueueStats stats = inspector.stats();
        Map<String, Long> depths = new LinkedHashMap<>();
        stats.depths().forEach((priority, depth) -> depths.put(priority.wire(), depth));
        return new QueuesView(depths, stats.running(), stats.nodes().stream()
                .map(n -> new NodeView(n.id(), n.poolSize(), n.freeWorkers(), n.busyWorkers(), n.running(),
                        n.consistent(), n.lastHeartbeat()))
                .toList());
    }

    record QueuesView(Map<String, Long> queues, long running, List<NodeView> nodes) {
    }

    record NodeView(String id, int poolSize, long freeWorkers, long busyWorkers, long runningJobs,
            boolean consistent, Instant lastHeartbeat) {
    }
}
