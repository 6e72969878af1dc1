package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.sluice.support.IntegrationTest;

/** The API document describes the submission bodies, though the API reads them field by field. */
class ApiDocumentTests extends IntegrationTest {

    @Test
    void submissionBodiesAreDocumentedWithTheirShape() {
        JsonNode document = api.get("/v3/api-docs").json();

        assertThat(bodySchema(document, "/api/jobs")).isEqualTo("#/components/schemas/SubmitJob");
        assertThat(bodySchema(document, "/api/jobs/batch")).isEqualTo("#/components/schemas/SubmitBatch");
        assertThat(bodySchema(document, "/api/batches")).isEqualTo("#/components/schemas/SubmitBatch");
        JsonNode fields = document.get("components").get("schemas").get("SubmitJob").get("properties");
        assertThat(fields.has("type") && fields.has("payload") && fields.has("timeout") && fields.has("runAt")).isTrue();
    }

    private static String bodySchema(JsonNode document, String path) {
        return document.get("paths").get(path).get("post").get("requestBody").get("content").get("application/json")
                .get("schema").get("$ref").asString();
    }
}
