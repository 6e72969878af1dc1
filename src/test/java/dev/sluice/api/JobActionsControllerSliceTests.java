package dev.sluice.api;

import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.util.Optional;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import dev.sluice.queue.JobOperations;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobStore;
import dev.sluice.queue.JobWaits;
import dev.sluice.queue.QueueInspector;

/** Retry and list on MockMvc with the queue mocked: the state rules and the bounds on parameters. */
@WebMvcTest(controllers = JobActionsController.class)
@AutoConfigureMockMvc(addFilters = false)
@Import(SliceSettings.class)
class JobActionsControllerSliceTests {

    @Autowired
    private MockMvc mvc;

    @MockitoBean
    private JobStore store;

    @MockitoBean
    private JobOperations operations;

    @MockitoBean
    private QueueInspector inspector;

    @MockitoBean
    private JobWaits waits;

    @Test
    void retryingAJobThatIsStillQueuedIsAConflictNamingItsState() throws Exception {
        given(operations.retry(anyString())).willReturn(Optional.of(new JobOperations.Retry(false, JobState.QUEUED)));

        mvc.perform(post("/api/jobs/a/retry"))
                .andExpect(status().isConflict())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value("/problems/job-state-conflict"))
                .andExpect(jsonPath("$.state").value("queued"));
    }

    @Test
    void retryingAnUnknownJobIs404() throws Exception {
        given(operations.retry(anyString())).willReturn(Optional.empty());

        mvc.perform(post("/api/jobs/a/retry")).andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("/problems/job-not-found"));
    }

    @Test
    void listingsRefuseStatesThatAreNotListedAndPagesOverTheirBound() throws Exception {
        mvc.perform(get("/api/jobs").param("state", "paused"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("state"));
        mvc.perform(get("/api/jobs").param("state", "dead").param("size", "201"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("size"));
        mvc.perform(get("/api/jobs").param("state", "dead").param("page", "x"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.errors[0].field").value("page"));
        verifyNoInteractions(inspector);
    }
}
