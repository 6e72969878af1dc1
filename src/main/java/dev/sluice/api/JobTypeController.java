package dev.sluice.api;

import java.util.List;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.sluice.jobs.JobTypes;

@RestController
@RequestMapping("/api/job-types")
@Tag(name = "job types", description = "What can be submitted")
class JobTypeController {

    private final List<JobTypeView> views;

    JobTypeController(JobTypes types, JsonMapper json) {
        this.views = types.all().stream()
                .map(h -> new JobTypeView(h.type(), h.description(), json.valueToTree(h.example()),
                        h.timeout().toString(), h.maxAttempts()))
                .toList();
    }

    @GetMapping
    @Operation(summary = "The registered job types, each with an example payload")
    List<JobTypeView> jobTypes() {
        return views;
    }

    record JobTypeView(String type, String description, JsonNode examplePayload, String defaultTimeout,
            int defaultMaxAttempts) {
    }
}
