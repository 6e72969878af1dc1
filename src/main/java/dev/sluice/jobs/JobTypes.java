package dev.sluice.jobs;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * The registry of job types, built from every {@link JobHandler} bean. Start-up fails when two
 * handlers claim one type. It validates payloads at submission and runs them on the workers.
 */
@Component
public class JobTypes {

    private final Map<String, JobHandler<?>> handlers = new TreeMap<>();
    private final Map<String, ObjectReader> readers = new java.util.HashMap<>();
    private final JsonMapper json;
    private final Validator validator;

    JobTypes(List<JobHandler<?>> handlers, JsonMapper json, Validator validator) {
        this.json = json;
        this.validator = validator;
        for (JobHandler<?> handler : handlers) {
            JobHandler<?> clash = this.handlers.putIfAbsent(handler.type(), handler);
            if (clash != null) {
                throw new IllegalStateException("Job type '" + handler.type() + "' is claimed by both "
                        + clash.getClass().getName() + " and " + handler.getClass().getName());
            }
            readers.put(handler.type(), json.readerFor(handler.payloadType())
                    .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .without(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES));
        }
    }

    public Collection<JobHandler<?>> all() {
        return handlers.values();
    }

    public JobHandler<?> require(String type) {
        JobHandler<?> handler = handlers.get(type);
        if (handler == null) {
            throw new InvalidJobException(InvalidJobException.Kind.UNKNOWN_TYPE,
                    List.of(new Violation("type", unknown(type))));
        }
        return handler;
    }

    /** The handler of a type, or null when none is registered. */
    JobHandler<?> find(String type) {
        return handlers.get(type);
    }

    /** Why a type name is refused. */
    String unknown(String type) {
        String shown = JsonText.printable(type);
        return "is not a registered job type ('" + shown + "'); registered: " + String.join(", ", handlers.keySet());
    }

    /** Binds and validates a payload; returns it as normalized JSON text, ready to store. */
    public String validate(String type, JsonNode payload) {
        return validate(require(type), payload);
    }

    String validate(JobHandler<?> handler, JsonNode payload) {
        return json.writeValueAsString(bind(handler, payload == null || payload.isNull()
                ? json.createObjectNode() : payload));
    }

    /** Runs a stored payload through its handler and returns the result as JSON text. */
    public String run(String type, String payload, JobContext context) throws Exception {
        return json.writeValueAsString(invoke(require(type), json.readTree(payload), context));
    }

    private <P> Object invoke(JobHandler<P> handler, JsonNode payload, JobContext context) throws Exception {
        return handler.handle(reader(handler).readValue(payload), context);
    }

    private <P> P bind(JobHandler<P> handler, JsonNode payload) {
        P value;
        try {
            value = reader(handler).readValue(payload);
        } catch (JacksonException e) {
            throw new InvalidJobException(InvalidJobException.Kind.INVALID_PAYLOAD,
                    List.of(Violation.of(e, "payload")));
        }
        if (value == null) {
            throw new InvalidJobException(InvalidJobException.Kind.INVALID_PAYLOAD,
                    List.of(new Violation("payload", "must be an object")));
        }
        Set<ConstraintViolation<P>> problems = validator.validate(value);
        if (problems.isEmpty()) {
            List<Violation> checked = handler.check(value);
            if (!checked.isEmpty()) {
                throw new InvalidJobException(InvalidJobException.Kind.INVALID_PAYLOAD, checked);
            }
        }
        if (!problems.isEmpty()) {
            List<Violation> violations = new ArrayList<>();
            for (ConstraintViolation<P> problem : problems) {
                violations.add(new Violation("payload." + problem.getPropertyPath(), problem.getMessage()));
            }
            violations.sort(Comparator.comparing(Violation::field));
            throw new InvalidJobException(InvalidJobException.Kind.INVALID_PAYLOAD, violations);
        }
        return value;
    }

    /**
     * One reader per type, made once: unknown fields are refused (a typo must not pass silently); an
     * absent primitive field takes its zero value, so payloads mark required numbers with a boxed type
     * and {@code @NotNull}.
     */
    private ObjectReader reader(JobHandler<?> handler) {
        return readers.get(handler.type());
    }
}
