package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.sluice.client.ApiClient;
import dev.sluice.client.ApiException;
import dev.sluice.client.api.BatchesApi;
import dev.sluice.client.api.JobsApi;
import dev.sluice.client.api.QueuesApi;
import dev.sluice.client.model.BatchView;
import dev.sluice.client.model.Job;
import dev.sluice.client.model.JobPage;
import dev.sluice.client.model.Problem;
import dev.sluice.client.model.SubmitBatch;
import dev.sluice.client.model.SubmitJob;
import dev.sluice.client.model.SubmittedJobs;
import dev.sluice.support.IntegrationTest;

/**
 * The API driven through a Java client that openapi-generator (java, native library) generated from
 * docs/openapi.json at build time, the document ApiContractTests keeps equal to the live one: if the
 * document and the service disagreed, these calls would fail to bind.
 */
class GeneratedClientTests extends IntegrationTest {

    private JobsApi jobs;
    private BatchesApi batches;
    private ApiClient client;

    @BeforeEach
    void connect() {
        client = new ApiClient();
        client.updateBaseUri("http://127.0.0.1:" + port);
        jobs = new JobsApi(client);
        batches = new BatchesApi(client);
    }

    @Test
    void submitWaitListCancelRetryAndBatchThroughTheGeneratedClient() throws Exception {
        Job submitted = jobs.submitJob(new SubmitJob().type("add").payload(Map.of("x", 2, "y", 3))
                .priority(SubmitJob.PriorityEnum.HIGH), null);
        assertThat(submitted.getState()).isIn(Job.StateEnum.QUEUED, Job.StateEnum.RUNNING, Job.StateEnum.SUCCEEDED);
        assertThat(submitted.getPriority()).isEqualTo(Job.PriorityEnum.HIGH);

        Job done = jobs.getJob(submitted.getId(), "5s");
        assertThat(done.getState()).isEqualTo(Job.StateEnum.SUCCEEDED);
        assertThat(done.getResult()).isEqualTo(5);
        assertThat(done.getFinishedAt()).isNotNull();
        assertThat(done.getError()).isNull();

        new QueuesApi(client).pauseQueue("low");
        Job waiting;
        try {
            waiting = jobs.submitJob(new SubmitJob().type("echo").payload(Map.of("n", 1))
                    .priority(SubmitJob.PriorityEnum.LOW).key("tenant-7"), null);
            JobPage queued = jobs.listJobs("queued", "tenant-7", null, "low", null, null, null, null, null, 0, 20);
            assertThat(queued.getItems()).extracting(Job::getId).containsExactly(waiting.getId());
            assertThat(queued.getTotal()).isEqualTo(1L);
            assertThat(queued.getItems().get(0).getKey()).isEqualTo("tenant-7");

            Job cancelled = jobs.cancelJob(waiting.getId());
            assertThat(cancelled.getState()).isEqualTo(Job.StateEnum.CANCELLED);
        } finally {
            new QueuesApi(client).resumeQueue("low");
        }
        Job again = jobs.retryJob(waiting.getId());
        assertThat(again.getState()).isIn(Job.StateEnum.QUEUED, Job.StateEnum.RUNNING, Job.StateEnum.SUCCEEDED);
        assertThat(jobs.getJob(waiting.getId(), "5s").getState()).isEqualTo(Job.StateEnum.SUCCEEDED);

        SubmittedJobs many = jobs.submitJobs(new SubmitBatch().jobs(List.of(
                new SubmitJob().type("echo").payload(Map.of("a", 1)), new SubmitJob().type("noop"))));
        assertThat(many.getCount()).isEqualTo(2);
        assertThat(many.getIds()).hasSize(2);

        BatchView batch = batches.createBatch(new SubmitBatch().jobs(List.of(new SubmitJob().type("echo").payload(Map.of()))),
                null);
        await().atMost(Duration.ofSeconds(10)).until(() -> Boolean.TRUE.equals(batches.getBatch(batch.getId(), "5s").getFinished()));
        assertThat(batches.getBatch(batch.getId(), null).getStates()).containsEntry("succeeded", 1);
    }

    @Test
    void problemsArriveAsTheGeneratedProblemType() throws Exception {
        ApiException refused = catchThrowableOfType(ApiException.class,
                () -> jobs.submitJob(new SubmitJob().type("no-such-type"), null));
        assertThat(refused.getCode()).isEqualTo(400);
        Problem problem = client.getObjectMapper().readValue(refused.getResponseBody(), Problem.class);
        assertThat(problem.getType()).isEqualTo("/problems/unknown-job-type");
        assertThat(problem.getStatus()).isEqualTo(400);
        assertThat(problem.getErrors()).extracting(error -> error.getField()).contains("type");

        ApiException missing = catchThrowableOfType(ApiException.class, () -> jobs.getJob("no-such-job", null));
        assertThat(missing.getCode()).isEqualTo(404);
        assertThat(client.getObjectMapper().readValue(missing.getResponseBody(), Problem.class).getType())
                .isEqualTo("/problems/job-not-found");
    }
}
