package dev.sluice.api;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.config.SluiceProperties;
import dev.sluice.queue.JobOperations;
import dev.sluice.queue.Priority;
import dev.sluice.queue.QueueInspector;
import dev.sluice.queue.QueueStats;

@RestController
@RequestMapping("/api/queues")
@Tag(name = "queues", description = "Queue depths and worker capacity")
class QueueController {

    private final QueueInspector inspector;
    private final JobOperations operations;
    private final SluiceProperties.Queues limits;
    private final dev.sluice.queue.Limits caps;

    QueueController(QueueInspector inspector, JobOperations operations, SluiceProperties properties,
            dev.sluice.queue.Limits caps) {
        this.caps = caps;
        this.inspector = inspector;
        this.operations = operations;
        this.limits = properties.queues();
    }

    @PostMapping("/{priority}/pause")
    @Operation(summary = "Pause a priority", description = "No node takes jobs of this priority until it is "
            + "resumed; jobs keep being accepted and wait in its list. Running jobs are not affected.")
    QueuesView pause(@PathVariable String priority) {
        operations.pause(priority(priority));
        return queues();
    }

    @PostMapping("/{priority}/resume")
    @Operation(summary = "Resume a paused priority")
    QueuesView resume(@PathVariable String priority) {
        operations.resume(priority(priority));
        return queues();
    }

    private static Priority priority(String name) {
        try {
            return Priority.fromWire(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("priority", e.getMessage());
        }
    }

    @GetMapping
    @Operation(summary = "Queue depths, running jobs and every node's workers",
            description = "Per node, freeWorkers + runningJobs = poolSize when its bookkeeping is consistent.")
    QueuesView queues() {
        QueueStats stats = inspector.stats();
        Map<String, Long> depths = new LinkedHashMap<>();
        stats.depths().forEach((priority, depth) -> depths.put(priority.wire(), depth));
        // what the total capacity bounds: every waiting job, queued, scheduled or retrying
        long used = depths.values().stream().mapToLong(Long::longValue).sum() + stats.scheduled() + stats.retrying();
        Map<String, Long> perPriority = new LinkedHashMap<>();
        perPriority.put("high", limits.perPriority().high());
        perPriority.put("normal", limits.perPriority().normal());
        perPriority.put("low", limits.perPriority().low());
        Capacity capacity = new Capacity(limits.capacity(), used,
                limits.capacity() == 0 ? 0 : Math.round(1000.0 * used / limits.capacity()) / 10.0, perPriority);
        List<String> paused = inspector.paused().stream().map(Priority::wire).toList();
        Map<String, Map<String, Long>> lanes = new LinkedHashMap<>();
        inspector.laneDepths().forEach((type, waiting) -> {
            Map<String, Long> shown = new LinkedHashMap<>();
            waiting.forEach((priority, depth) -> shown.put(priority.wire(), depth));
            lanes.put(type, shown);
        });
        Map<String, Map<String, Object>> capped = new LinkedHashMap<>();
        caps.use().forEach(use -> {
            Map<String, Object> shown = new LinkedHashMap<>();
            shown.put("concurrency", use.caps().concurrency());
            shown.put("perKeyConcurrency", use.caps().perKeyConcurrency());
            shown.put("running", use.running());
            shown.put("parked", use.parked());
            if (use.caps().rate() != null) {
                shown.put("rate", Map.of("limit", use.caps().rate().limit(),
                        "period", dev.sluice.jobs.Durations.format(use.caps().rate().period()),
                        "used", use.rateUsed()));
            }
            capped.put(use.type(), shown);
        });
        return new QueuesView(depths, lanes, capped, paused, stats.scheduled(), stats.retrying(), stats.running(), stats.dead(),
                capacity,
                stats.nodes().stream()
                .map(n -> new NodeView(n.id(), n.poolSize(), n.freeWorkers(), n.busyWorkers(), n.running(),
                        n.consistent(), n.lastHeartbeat()))
                .toList());
    }

    /**
     * @param queues    jobs waiting per priority (for the nodes' own workers)
     * @param lanes     jobs of remote types waiting per type and priority (for remote workers); only
     *                  types with waiting jobs
     * @param limits    per capped job type: its caps, jobs running and jobs parked (waiting for a slot)
     * @param paused    priorities no node takes jobs from now
     * @param scheduled jobs submitted for later, not yet due
     * @param retrying  failed jobs waiting out their retry back-off
     * @param dead      jobs in the dead-letter set
     */
    record QueuesView(Map<String, Long> queues, Map<String, Map<String, Long>> lanes,
            Map<String, Map<String, Object>> limits, List<String> paused, long scheduled, long retrying, long running,
            long dead, Capacity capacity,
            List<NodeView> nodes) {
    }

    /**
     * @param total       most waiting jobs in all (0: no limit)
     * @param used        jobs waiting now: queued, scheduled and retrying
     * @param percent     used as a share of total
     * @param perPriority each priority's own limit (0: none)
     */
    record Capacity(long total, long used, double percent, Map<String, Long> perPriority) {
    }

    record NodeView(String id, int poolSize, long freeWorkers, long busyWorkers, long runningJobs,
            boolean consistent, Instant lastHeartbeat) {
    }
}
