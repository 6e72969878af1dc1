package dev.sluice.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Remote workers as the benchmark plays them: {@code workers} loops, each with its own JDK HTTP client
 * (HTTP/1.1, one keep-alive connection), each a worker with {@code slots} slots. A loop claims up to its
 * free slots, "runs" the no-op jobs at once and reports them all in one {@code POST /api/jobs/complete};
 * it stops when every job is done. Bounded by the job count and a deadline.
 */
final class RemoteDrain {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RemoteDrain() {
    }

    /** Drains {@code n} queued jobs of {@code type}; returns how long it took, in nanoseconds. */
    static long run(int port, String type, int n, int workers, int slots, Duration deadline) throws Exception {
        AtomicInteger done = new AtomicInteger();
        long end = System.nanoTime() + deadline.toNanos();
        ExecutorService loops = Executors.newFixedThreadPool(workers);
        try {
            long start = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                String worker = "bench-" + w;
                running.add(loops.submit(() -> {
                    work(port, type, worker, slots, n, done, end);
                    return null;
                }));
            }
            for (Future<?> loop : running) {
                loop.get();
            }
            if (done.get() < n) {
                throw new IllegalStateException("remote drain finished " + done.get() + " of " + n + " jobs in time");
            }
            return System.nanoTime() - start;
        } finally {
            loops.shutdownNow();
        }
    }

    private static void work(int port, String type, String worker, int slots, int n, AtomicInteger done, long end)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI claim = URI.create("http://127.0.0.1:" + port + "/api/workers/" + worker + "/claim");
        URI complete = URI.create("http://127.0.0.1:" + port + "/api/jobs/complete");
        String claimBody = "{\"types\":[\"" + type + "\"],\"max\":" + slots + ",\"slots\":" + slots + ",\"wait\":\"1s\"}";
        while (done.get() < n && System.nanoTime() < end) {
            HttpResponse<String> claimed = http.send(post(claim, claimBody), HttpResponse.BodyHandlers.ofString());
            if (claimed.statusCode() == 204) {
                continue;
            }
            if (claimed.statusCode() != 200) {
                throw new IllegalStateException("claim answered " + claimed.statusCode() + ": " + claimed.body());
            }
            ArrayNode results = JSON.createArrayNode();
            for (JsonNode job : JSON.readTree(claimed.body())) {
                ObjectNode result = results.addObject();
                result.put("id", job.get("id").asString());
                result.put("leaseToken", job.get("leaseToken").asString());
                result.putNull("result");
            }
            HttpResponse<String> reported = http.send(post(complete, "{\"results\":" + results + "}"),
                    HttpResponse.BodyHandlers.ofString());
            if (reported.statusCode() != 200) {
                throw new IllegalStateException("complete answered " + reported.statusCode() + ": " + reported.body());
            }
            done.addAndGet(results.size());
        }
    }

    private static HttpRequest post(URI uri, String body) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
