package dev.sluice.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real server-sent-events client: reads a stream in the background and queues its events. */
public final class EventStream implements AutoCloseable {

    /** One event: its name and its JSON data. */
    public record Event(String name, JsonNode data) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<HttpResponse<Stream<String>>> response;
    private volatile boolean ended;

    public EventStream(int port, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", "text/event-stream").GET().build();
        response = HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        response.thenAcceptAsync(r -> {
            String name = "message";
            for (var it = r.body().iterator(); it.hasNext(); ) {
                String line = it.next();
                if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    events.add(new Event(name, JSON.readTree(line.substring(5).trim())));
                    name = "message";
                }
            }
            ended = true;
        });
    }

    public int status() {
        return response.join().statusCode();
    }

    /** The next event, waiting at most {@code timeout}; fails when none comes. */
    public Event next(Duration timeout) {
        try {
            Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("no event within " + timeout);
            }
            return event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Whether the server ended the stream. */
    public boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        response.thenAccept(r -> r.body().close());
        response.cancel(true);
    }
}
