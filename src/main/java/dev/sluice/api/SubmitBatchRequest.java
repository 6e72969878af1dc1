package dev.sluice.api;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;

import io.swagger.v3.oas.annotations.media.Schema;

@Schema(name = "SubmitBatch", example = """
        {"jobs":[{"type":"add","payload":{"x":1,"y":2}},{"type":"echo","payload":{"n":1},"priority":"low"}]}""")
record SubmitBatchRequest(@NotEmpty List<@Valid SubmitJobRequest> jobs) {
}
