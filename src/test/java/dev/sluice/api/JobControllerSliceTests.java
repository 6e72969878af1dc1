package dev.sluice.api;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import dev.sluice.jobs.InvalidJobException;
import dev.sluice.jobs.JobSubmitter;
import dev.sluice.jobs.Violation;
import dev.sluice.queue.JobStore;
import dev.sluice.queue.JobWaits;

/**
 * The job controller and the problem handler alone, on MockMvc with the queue mocked: how every kind
 * of failure becomes a problem response. Fast, no Redis; the end-to-end suite covers the rest.
 */
@WebMvcTest(controllers = JobController.class)
@AutoConfigureMockMvc(addFilters = false)
@Import(SliceSettings.class)
class JobControllerSliceTests {

    @Autowired
    private MockMvc mvc;

    @MockitoBean
    private JobSubmitter submitter;

    @MockitoBean
    private JobStore store;

    @MockitoBean
    private JobWaits waits;

    @Test
    void anInvalidSubmissionIsAProblemNamingEveryField() throws Exception {
        given(submitter.submitJson(any(), any(), any())).willThrow(new InvalidJobException(
                InvalidJobException.Kind.INVALID_REQUEST,
                List.of(new Violation("priority", "must be high, normal or low"), new Violation("payload.y", "must not be null"))));

        mvc.perform(post("/api/jobs").contentType(MediaType.APPLICATION_JSON).content("{\"type\":\"add\"}"))
                .andExpect(status().isBadRequest())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("/problems/invalid-request"))
                .andExpect(jsonPath("$.errors[0].field").value("priority"))
                .andExpect(jsonPath("$.errors[1].field").value("payload.y"));
    }

    @Test
    void anUnknownJobIs404() throws Exception {
        given(store.find(anyString())).willReturn(Optional.empty());

        mvc.perform(get("/api/jobs/nope"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("/problems/job-not-found"));
    }

    @Test
    void aBadWaitIsRefusedBeforeAnythingIsRead() throws Exception {
        mvc.perform(get("/api/jobs/a").param("wait", "soon"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("wait"));
        verifyNoInteractions(store, waits);
    }

    @Test
    void redisUnreachableIs503AndSaysNothingWasApplied() throws Exception {
        given(store.find(anyString())).willThrow(new RedisConnectionFailureException("refused"));

        mvc.perform(get("/api/jobs/a"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().exists("Retry-After"))
                .andExpect(jsonPath("$.type").value("/problems/redis-unavailable"))
                .andExpect(jsonPath("$.outcome").value("not-applied"));
    }

    @Test
    void aTimedOutCommandIs503WithAnUnknownOutcome() throws Exception {
        given(submitter.submitJson(any(), any(), any())).willThrow(new QueryTimeoutException("timed out"));

        mvc.perform(post("/api/jobs").contentType(MediaType.APPLICATION_JSON).content("{\"type\":\"noop\"}"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.outcome").value("unknown"));
    }
}
