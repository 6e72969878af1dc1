package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

/** A job's key over HTTP: shown in the job, bounded, and refused with the field named. */
class JobKeyTests extends IntegrationTest {

    @Test
    void aKeyIsShownWithTheJobAndABadOneIsRefusedWritingNothing() {
        String id = api.submit("{\"type\":\"echo\",\"payload\":{},\"key\":\"tenant-42\"}");
        assertThat(api.job(id).get("key").asString()).isEqualTo("tenant-42");
        assertThat(api.get("/api/jobs/" + id + "?wait=5s").json().get("state").asString()).isEqualTo("succeeded");

        java.util.Set<String> before = namespaceKeys();
        for (String bad : List.of("\"\"", "\"two words\"", "\"" + "k".repeat(129) + "\"", "\"tab\\there\"", "42")) {
            Api.Response refused = api.post("/api/jobs", "{\"type\":\"echo\",\"payload\":{},\"key\":" + bad + "}");
            assertThat(refused.status()).as(bad).isEqualTo(400);
            assertThat(refused.json().get("errors").get(0).get("field").asString()).as(bad).isEqualTo("key");
        }
        assertThat(namespaceKeys()).isEqualTo(before);
    }
}
