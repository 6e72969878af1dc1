package dev.sluice.queue;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * A job's trace context: the submitting request's span, as a W3C {@code traceparent}, stored with the
 * job when that span is sampled (so an unsampled queue pays nothing), and the parent of each attempt's
 * span. No tracer (tests, a context without tracing): nothing is stored.
 */
@Component
public class Traces {

    /** Stores nothing and starts no spans. */
    public static final Traces NONE = new Traces(null);

    private final ObjectProvider<Tracer> tracers;
    private volatile Tracer tracer;

    Traces(ObjectProvider<Tracer> tracers) {
        this.tracers = tracers;
    }

    /** The current span's traceparent when it is sampled; empty otherwise. */
    public String current() {
        Tracer tracer = tracer();
        Span span = tracer == null ? null : tracer.currentSpan();
        if (span == null || span.isNoop() || !Boolean.TRUE.equals(span.context().sampled())) {
            return "";
        }
        return traceparent(span.context());
    }

    /** The tracer, or null when there is none; looked up once (every enqueue asks). */
    public Tracer tracer() {
        Tracer found = tracer;
        if (found == null && tracers != null) {
            found = tracers.getIfAvailable(() -> Tracer.NOOP);
            tracer = found;
        }
        return found == Tracer.NOOP ? null : found;
    }

    public static String traceparent(TraceContext context) {
        return "00-" + context.traceId() + "-" + context.spanId() + "-"
                + (Boolean.TRUE.equals(context.sampled()) ? "01" : "00");
    }

    /** The context a stored traceparent names, for a child span; null when it is not one. */
    public TraceContext parse(String traceparent) {
        Tracer tracer = tracer();
        if (tracer == null || traceparent == null) {
            return null;
        }
        String[] parts = traceparent.split("-");
        if (parts.length != 4 || parts[1].length() != 32 || parts[2].length() != 16) {
            return null;
        }
        return tracer.traceContextBuilder().traceId(parts[1]).spanId(parts[2]).sampled("01".equals(parts[3])).build();
    }
}
