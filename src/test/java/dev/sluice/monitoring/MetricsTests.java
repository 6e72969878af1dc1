package dev.sluice.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.sluice.support.IntegrationTest;

class MetricsTests extends IntegrationTest {

    private String prometheus() {
        return api.get("/actuator/prometheus").body();
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void metersMoveWhenJobsRun() {
        String before = prometheus();
        double submitted = value(before, "sluice_jobs_submitted_total{priority=\"high\",type=\"add\"}");
        double failed = value(before, "sluice_jobs_finished_total{outcome=\"failed\",type=\"fail\"}");

        String a = api.submit("{\"type\":\"add\",\"priority\":\"high\",\"payload\":{\"x\":1,\"y\":1}}");
        String b = api.submit("{\"type\":\"add\",\"priority\":\"high\",\"payload\":{\"x\":2,\"y\":1}}");
        String f = api.submit("{\"type\":\"fail\",\"payload\":{}}");
        for (String id : new String[] {a, b, f}) {
            api.get("/api/jobs/" + id + "?wait=10s");
        }

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String after = prometheus();
            assertThat(value(after, "sluice_jobs_submitted_total{priority=\"high\",type=\"add\"}")).isEqualTo(submitted + 2);
            assertThat(value(after, "sluice_jobs_finished_total{outcome=\"succeeded\",type=\"add\"}")).isGreaterThanOrEqualTo(2);
            assertThat(value(after, "sluice_jobs_finished_total{outcome=\"failed\",type=\"fail\"}")).isEqualTo(failed + 1);
            assertThat(value(after, "sluice_jobs_wait_seconds_count{priority=\"high\",type=\"add\"}")).isGreaterThanOrEqualTo(2);
            assertThat(value(after, "sluice_jobs_run_seconds_count{type=\"add\"}")).isGreaterThanOrEqualTo(2);
            assertThat(after).contains("sluice_jobs_run_seconds_bucket{type=\"add\"");
            assertThat(after).contains("sluice_queue_depth{priority=\"high\"}").contains("sluice_workers_free{node=")
                    .contains("sluice_jobs_dead ").contains("sluice_reaper_recovered_total");
        });
    }

    @Test
    void infoShowsTheVersionAndTheNode() {
        JsonNode info = api.get("/actuator/info").json();

        assertThat(info.get("build").get("version").asString()).isNotBlank();
        assertThat(info.get("sluice").get("node").asString()).isNotBlank();
        assertThat(info.get("sluice").get("namespace").asString()).startsWith("test-");
    }
}
