package dev.sluice.api;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** The shape of a batch submission, as the API document shows it; read like {@link SubmitJobRequest}. */
@Schema(name = "SubmitBatch", example = """
        {"jobs":[{"type":"add","payload":{"x":1,"y":2}},{"type":"echo","payload":{"n":1},"priority":"low"}]}""")
record SubmitBatchRequest(
        @Schema(description = "1 to sluice.api.max-batch-size jobs", requiredMode = Schema.RequiredMode.REQUIRED)
        List<SubmitJobRequest> jobs,
        @Schema(description = "POST /api/batches only: fired once, when every job of the batch has ended "
                + "(batch.finished, with the jobs per state)")
        SubmitJobRequest.CallbackRequest callback) {
}
