package dev.sluice.api;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import dev.sluice.config.SluiceProperties;
import dev.sluice.queue.Job;
import dev.sluice.queue.JobEvents;
import dev.sluice.queue.JobState;
import dev.sluice.queue.JobStore;
import dev.sluice.security.Caller;

/**
 * Server-sent events of job state changes. Events arrive on the pub/sub thread; each stream's sends
 * are chained on an executor, one after another, so a slow client never holds up the others and its
 * events keep their order.
 */
@RestController
@Tag(name = "events", description = "Live job state changes as server-sent events")
class EventStreamController implements ApplicationListener<ContextClosedEvent> {

    private static final Duration STREAM_TIMEOUT = Duration.ofMinutes(30);

    private final JobEvents events;
    private final JobStore store;
    private final JsonMapper json;
    private final Executor executor;
    private final Set<SseEmitter> open = ConcurrentHashMap.newKeySet();
    private final int maxStreams;

    EventStreamController(JobEvents events, JobStore store, JsonMapper json, SluiceProperties properties,
            @Qualifier("sluiceWaitExecutor") Executor executor) {
        this.maxStreams = properties.api().maxEventStreams();
        this.events = events;
        this.store = store;
        this.json = json;
        this.executor = executor;
    }

    @GetMapping(path = "/api/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "A job's state changes, live", description = "First event: the job's current state. Then "
            + "one event per change (`state`) and per progress report (`progress`), each a JSON object "
            + "{id, state, type, at, attempt, progress, message}. The stream ends after a final state.")
    SseEmitter job(@PathVariable String id, HttpServletRequest http) {
        Caller caller = Caller.of(http);
        Stream stream = open();
        Runnable stop = events.onJob(id, event -> stream.send(event, isFinal(event)));
        Job job;
        try {
            job = store.watch(id).filter(found -> caller.mayRead(found.owner()))
                    .orElseThrow(() -> new JobNotFoundException(id));
        } catch (RuntimeException e) {
            stop.run();
            throw e;
        }
        stream.whenDone(stop);
        JsonNode now = json.createObjectNode().put("id", job.id()).put("state", job.state().wire())
                .put("type", job.type()).put("attempt", job.attempts());
        stream.send(now, job.state().isFinal());
        return stream.emitter;
    }

    @GetMapping(path = "/api/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Every job's state changes, live", description = "For dashboards: one event per change of "
            + "any job, optionally only of one type. Within about a second of connecting, every node's jobs are "
            + "included.")
    SseEmitter everything(@Parameter(description = "only jobs of this type") @RequestParam(required = false)
            String type) {
        Stream stream = open();
        Runnable stop = events.onEverything(event -> {
            if (type == null || type.equals(event.path("type").asString())) {
                stream.send(event, false);
            }
        });
        stream.whenDone(stop);
        stream.hello();
        return stream.emitter;
    }

    /** A new stream, unless this node holds sluice.api.max-event-streams already: then 429. */
    private Stream open() {
        if (open.size() >= maxStreams) {
            throw new TooManyStreamsException(maxStreams);
        }
        return new Stream();
    }

    /**
     * Ends every open stream when the application starts to stop, before the web server's graceful
     * shutdown, which would otherwise wait for these never-ending responses. Clients reconnect.
     */
    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        open.forEach(SseEmitter::complete);
        open.clear();
    }

    private static boolean isFinal(JsonNode event) {
        String state = event.path("state").asString();
        return !state.isEmpty() && JobState.fromWire(state).isFinal();
    }

    /** One client's stream and the chain of its pending sends. */
    private final class Stream {
        final SseEmitter emitter = new SseEmitter(STREAM_TIMEOUT.toMillis());

        Stream() {
            open.add(emitter);
        }
        private final AtomicReference<CompletableFuture<Void>> tail =
                new AtomicReference<>(CompletableFuture.completedFuture(null));

        void whenDone(Runnable stop) {
            emitter.onCompletion(() -> {
                open.remove(emitter);
                stop.run();
            });
            emitter.onTimeout(stop);
            emitter.onError(error -> stop.run());
        }

        /** A comment line first: it sends the response headers at once, so clients know they are connected. */
        void hello() {
            tail.getAndUpdate(previous -> previous.thenRunAsync(() -> {
                try {
                    emitter.send(SseEmitter.event().comment("connected"));
                } catch (IOException | IllegalStateException e) {
                    emitter.completeWithError(e);
                }
            }, executor));
        }

        void send(JsonNode event, boolean last) {
            tail.getAndUpdate(previous -> previous.thenRunAsync(() -> {
                try {
                    emitter.send(SseEmitter.event().name(event.has("progress") ? "progress" : "state")
                            .data(event.toString(), MediaType.APPLICATION_JSON));
                    if (last) {
                        emitter.complete();
                    }
                } catch (IOException | IllegalStateException e) {
                    emitter.completeWithError(e);
                }
            }, executor));
        }
    }
}
