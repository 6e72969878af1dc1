package dev.sluice.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;

/**
 * A job type for tests ({@code probe}) that records what the workers do: the order jobs start in,
 * how many run at once, and how often each job ran. A gated probe holds its worker until the test
 * opens the gate.
 */
public class ProbeJob implements JobHandler<ProbeJob.Payload> {

    /**
     * @param holdMs          how long to run
     * @param gated           wait for {@link #open()} first
     * @param failUntilHealed throw until {@link #heal()} is called
     * @param stubborn        when gated, ignore interrupts while waiting (a badly written handler)
     * @param progress        after the gate, report 50 % ("halfway") before finishing
     * @param gatedAfterFirst  from the second attempt on, wait for {@link #open()} first
     */
    public record Payload(String label, long holdMs, boolean gated, boolean failUntilHealed, boolean stubborn,
            boolean progress, boolean gatedAfterFirst) {
    }

    /** What a probe throws while it is not healed. */
    public static class Unhealed extends RuntimeException {
        Unhealed(String message) {
            super(message);
        }
    }

    private final List<String> starts = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger maxRunning = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(1);
    private volatile boolean healed;

    @Override
    public String type() {
        return "probe";
    }

    @Override
    public Class<Payload> payloadType() {
        return Payload.class;
    }

    @Override
    public String description() {
        return "Test probe.";
    }

    @Override
    public Payload example() {
        return new Payload("a", 0, false, false, false, false, false);
    }

    @Override
    public Object handle(Payload payload, JobContext context) throws InterruptedException {
        String traceId = org.slf4j.MDC.get("traceId");
        if (traceId != null) {
            traceIds.put(context.jobId(), traceId);
        }
        starts.add(payload.label());
        executions.computeIfAbsent(context.jobId(), id -> new AtomicInteger()).incrementAndGet();
        maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
            if (payload.gated() && payload.stubborn()) {
                awaitIgnoringInterrupts();
            } else if (payload.gated() || payload.gatedAfterFirst() && context.attempt() > 1) {
                gate.await();
            }
            if (payload.progress()) {
                context.progress(50, "halfway");
            }
            if (payload.holdMs() > 0) {
                Thread.sleep(payload.holdMs());
            }
            if (payload.failUntilHealed() && !healed) {
                throw new Unhealed("not healed yet (attempt " + context.attempt() + ")");
            }
            return payload.label() + "#" + context.attempt();
        } finally {
            running.decrementAndGet();
        }
    }

    private void awaitIgnoringInterrupts() {
        while (gate.getCount() > 0) {
            try {
                gate.await();
            } catch (InterruptedException ignored) {
                // a stubborn handler carries on
            }
        }
    }

    public void open() {
        gate.countDown();
    }

    public void heal() {
        healed = true;
    }

    /** Closes the gate again, un-heals, and forgets everything recorded. */
    public void reset() {
        gate.countDown();
        gate = new CountDownLatch(1);
        healed = false;
        starts.clear();
        executions.clear();
        maxRunning.set(running.get());
    }

    public List<String> starts() {
        synchronized (starts) {
            return List.copyOf(starts);
        }
    }

    public int running() {
        return running.get();
    }

    private final java.util.Map<String, String> traceIds = new java.util.concurrent.ConcurrentHashMap<>();

    /** The trace id the handler's log lines carried (the MDC's traceId) for a job, or null. */
    public String traceIdOf(String jobId) {
        return traceIds.get(jobId);
    }

    public int maxRunning() {
        return maxRunning.get();
    }

    /** How many times any probe job was started. */
    public int totalExecutions() {
        return executions.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    public int executions(String jobId) {
        AtomicInteger count = executions.get(jobId);
        return count == null ? 0 : count.get();
    }

    public static String json(String label, long holdMs, boolean gated, String priority) {
        return json(label, holdMs, gated, priority, "");
    }

    /** @param extra more top-level fields, e.g. {@code "maxAttempts":2,"timeout":"1s"}, or empty */
    public static String json(String label, long holdMs, boolean gated, String priority, String extra) {
        return "{\"type\":\"probe\",\"priority\":\"" + priority + "\",\"payload\":{\"label\":\"" + label
                + "\",\"holdMs\":" + holdMs + ",\"gated\":" + gated + "}" + (extra.isEmpty() ? "" : "," + extra)
                + "}";
    }

    public static String failing(String label, int maxAttempts) {
        return "{\"type\":\"probe\",\"maxAttempts\":" + maxAttempts + ",\"payload\":{\"label\":\"" + label
                + "\",\"failUntilHealed\":true}}";
    }
}
