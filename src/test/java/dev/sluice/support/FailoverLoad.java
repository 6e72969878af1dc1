package dev.sluice.support;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients submitting jobs while a test fails Redis over. Each client sends one job at a time with an
 * Idempotency-Key of its own and, when refused with a 503 (Redis unreachable, or the write not
 * confirmed by replicas), sends the same request again until it is answered: what every client of a
 * queue is told to do. A job counts as accepted only when answered 2xx, and then must never be lost.
 * Bounded: at most {@code perClient} jobs per client, and it stops when told.
 */
public final class FailoverLoad implements AutoCloseable {

    private final List<Api> apis;
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final Map<Integer, AtomicInteger> refusals = new ConcurrentHashMap<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    /** Starts {@code clients} threads spread over the nodes' APIs, each submitting {@code jobOf(i)}. */
    public FailoverLoad(List<Api> apis, int clients, int perClient, String jobJson) {
        this.apis = apis;
        for (int c = 0; c < clients; c++) {
            Api api = apis.get(c % apis.size());
            Thread thread = new Thread(() -> run(api, perClient, jobJson), "failover-client-" + c);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void run(Api api, int perClient, String jobJson) {
        try {
            for (int i = 0; i < perClient && !stopping; i++) {
                String key = UUID.randomUUID().toString();
                long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (System.nanoTime() < giveUp) {
                    Api.Response response;
                    try {
                        response = api.post("/api/jobs", jobJson, "Idempotency-Key", key);
                    } catch (RuntimeException e) {
                        refusals.computeIfAbsent(-1, s -> new AtomicInteger()).incrementAndGet();
                        continue;
                    }
                    if (response.status() / 100 == 2) {
                        accepted.add(response.json().get("id").asString());
                        break;
                    }
                    refusals.computeIfAbsent(response.status(), s -> new AtomicInteger()).incrementAndGet();
                    if (response.status() != 503) {
                        throw new AssertionError("unexpected answer " + response.status() + ": " + response.body());
                    }
                    Thread.sleep(20); // the client's pause between retries (what a real client does), not a wait on a condition
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failures.add(t);
        }
    }

    public int acceptedCount() {
        return accepted.size();
    }

    /** Stops the clients (each finishes the request it is on, retries included) and returns what was accepted. */
    public Set<String> stop() throws InterruptedException {
        stopping = true;
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(90).toMillis());
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("a client failed", failures.get(0));
        }
        return Set.copyOf(accepted);
    }

    /** Refused answers by status (-1: no answer at all). */
    public Map<Integer, AtomicInteger> refusals() {
        return refusals;
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(90).toMillis());
        }
    }

    public List<Api> apis() {
        return apis;
    }
}
