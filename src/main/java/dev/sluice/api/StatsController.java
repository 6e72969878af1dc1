package dev.sluice.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.jobs.Durations;
import dev.sluice.queue.Throughput;

@RestController
@RequestMapping("/api/stats")
@Tag(name = "queues", description = "Queue depths and worker capacity")
class StatsController {

    private final Throughput throughput;

    StatsController(Throughput throughput) {
        this.throughput = throughput;
    }

    @GetMapping
    @Operation(operationId = "getStats", summary = "Throughput per minute (admin)", description = "How many "
            + "deliveries ended in each state (succeeded, failed, dead, retrying, cancelled), in all and per job "
            + "type, each minute of the range, oldest first; kept in Redis for 24 h from every node and worker.")
    @ApiResponse(responseCode = "200", description = "the minutes")
    StatsView stats(@Parameter(description = "how far back: 1m to 24h", example = "1h")
            @RequestParam(defaultValue = "1h") String range) {
        Duration asked = Durations.parse(range).orElse(null);
        if (asked == null || asked.compareTo(Duration.ofMinutes(1)) < 0 || asked.compareTo(Throughput.MAX_RANGE) > 0) {
            throw new InvalidRequestException("range", "must be a duration from 1m to 24h, e.g. 1h");
        }
        List<MinuteView> minutes = throughput.last(asked).stream().map(minute -> {
            Map<String, Long> total = new TreeMap<>();
            minute.byType().values().forEach(states -> states.forEach((state, n) -> total.merge(state, n, Long::sum)));
            return new MinuteView(minute.at(), total, minute.byType());
        }).toList();
        return new StatsView(Durations.format(asked), minutes);
    }

    record StatsView(String range, List<MinuteView> minutes) {
    }

    /** @param total per state, over every type; @param byType per type, per state */
    record MinuteView(Instant at, Map<String, Long> total, Map<String, Map<String, Long>> byType) {
    }
}
