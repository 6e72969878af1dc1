package dev.sluice.jobs;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;
import dev.sluice.queue.Priority;
import dev.sluice.queue.RemoteLedger;

/**
 * Remote job types: declared over HTTP, run by workers in any language that claim them over HTTP.
 * A definition lives in Redis (so every node knows it) with a JSON Schema (draft 2020-12) for its
 * payloads; each node keeps the compiled schema for a second, keyed by the definition's version, and
 * enqueue.lua checks atomically that the type is still registered when its jobs are written.
 */
@Component
public class RemoteTypes {

    /** A type name: 1 to 64 of lower-case letters, digits, dot, dash and underscore, starting with a letter or digit. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
    private static final Duration FRESH_FOR = Duration.ofSeconds(1);

    /**
     * @param schema  the payload schema as stored (JSON text)
     * @param version how many times it was put (1 when new)
     */
    public record RemoteType(String name, String description, String schema, Duration timeout, int maxAttempts,
            Priority priority, long version) {
    }

    private record Cached(RemoteType type, Schema schema, long readAt) {
    }

    private final RemoteLedger ledger;
    private final JsonMapper json;
    private final Clock clock;
    private final SluiceProperties.Jobs limits;
    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Schema metaSchema = registry.getSchema(SchemaLocation.of(DIALECT));
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    RemoteTypes(RemoteLedger ledger, JsonMapper json, Clock clock, SluiceProperties properties) {
        this.ledger = ledger;
        this.json = json;
        this.clock = clock;
        this.limits = properties.jobs();
    }

    /** The type's definition, read at most a second ago; empty when it is not a remote type. */
    public Optional<RemoteType> find(String name) {
        return cached(name).map(Cached::type);
    }

    private Optional<Cached> cached(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        long now = clock.millis();
        Cached known = cache.get(name);
        if (known != null && now - known.readAt() < FRESH_FOR.toMillis()) {
            return Optional.of(known);
        }
        Optional<Map<String, String>> stored = ledger.type(name);
        if (stored.isEmpty()) {
            cache.remove(name);
            return Optional.empty();
        }
        RemoteType type = fromFields(name, stored.get());
        Schema schema = known != null && known.type().version() == type.version() ? known.schema()
                : registry.getSchema(json.readTree(type.schema()));
        Cached fresh = new Cached(type, schema, now);
        cache.put(name, fresh);
        return Optional.of(fresh);
    }

    /** Every remote type, by name. */
    public List<RemoteType> all() {
        List<RemoteType> types = new ArrayList<>();
        for (String name : ledger.typeNames()) {
            find(name).ifPresent(types::add);
        }
        return types;
    }

    /**
     * Checks a payload against the type's schema; returns it as JSON text, ready to store. Every
     * violation is named by its JSON path under {@code payload}.
     */
    String validate(RemoteType type, JsonNode payload) {
        JsonNode value = payload == null || payload.isNull() ? json.createObjectNode() : payload;
        Schema schema = cached(type.name()).map(Cached::schema).orElseGet(() -> registry.getSchema(json.readTree(type.schema())));
        List<Error> errors = schema.validate(value);
        if (!errors.isEmpty()) {
            List<Violation> violations = new ArrayList<>();
            for (Error error : errors) {
                violations.add(new Violation(path("payload", error.getInstanceLocation().toString()), error.getMessage()));
            }
            throw new InvalidJobException(InvalidJobException.Kind.INVALID_PAYLOAD, violations);
        }
        return json.writeValueAsString(value);
    }

    /** The validator's instance location ({@code $.a.b[0]} or {@code /a/b/0}) under {@code prefix}. */
    static String path(String prefix, String location) {
        if (location == null || location.isEmpty() || location.equals("$") || location.equals("/")) {
            return prefix;
        }
        if (location.startsWith("$")) {
            return prefix + location.substring(1);
        }
        StringBuilder path = new StringBuilder(prefix);
        for (String token : location.substring(1).split("/")) {
            String name = token.replace("~1", "/").replace("~0", "~");
            path.append(name.matches("\\d+") ? "[" + name + "]" : "." + name);
        }
        return path.toString();
    }

    /**
     * Checks a definition as submitted; returns its violations (empty when it may be stored). The
     * schema must be a valid draft 2020-12 schema whose references stay inside it (no fetching).
     */
    public List<Violation> check(String name, JsonNode schema, Duration timeout, Integer maxAttempts) {
        List<Violation> violations = new ArrayList<>();
        if (name == null || !NAME.matcher(name).matches()) {
            violations.add(new Violation("type", "must be 1 to 64 of a-z, 0-9, '.', '-' and '_', starting with a letter or digit"));
        }
        if (schema == null || !(schema.isObject() || schema.isBoolean())) {
            violations.add(new Violation("payloadSchema", "must be a JSON Schema (an object, or true)"));
        } else {
            JsonNode dialect = schema.get("$schema");
            if (dialect != null && !(dialect.isString() && dialect.asString().replaceAll("#$", "").equals(DIALECT))) {
                violations.add(new Violation("payloadSchema.$schema", "must be " + DIALECT + " (draft 2020-12) or absent"));
            }
            externalReference(schema, "payloadSchema").ifPresent(violations::add);
            if (violations.isEmpty()) {
                for (Error error : metaSchema.validate(schema)) {
                    violations.add(new Violation(path("payloadSchema", error.getInstanceLocation().toString()),
                            "is not valid JSON Schema 2020-12: " + error.getMessage()));
                }
            }
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero() || timeout.compareTo(limits.maxTimeout()) > 0)) {
            violations.add(new Violation("timeout", "must be from 1ms to " + Durations.format(limits.maxTimeout())
                    + " (sluice.jobs.max-timeout)"));
        }
        if (maxAttempts != null && (maxAttempts < 1 || maxAttempts > JobRequestReader.MAX_ATTEMPTS)) {
            violations.add(new Violation("maxAttempts", "must be from 1 to " + JobRequestReader.MAX_ATTEMPTS));
        }
        return violations;
    }

    private static Optional<Violation> externalReference(JsonNode node, String path) {
        if (node.isObject()) {
            for (String keyword : List.of("$ref", "$dynamicRef")) {
                JsonNode ref = node.get(keyword);
                if (ref != null && !(ref.isString() && ref.asString().startsWith("#"))) {
                    return Optional.of(new Violation(path + "." + keyword,
                            "may only point inside the schema ('#...'): Sluice fetches no schema from elsewhere"));
                }
            }
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                Optional<Violation> found = externalReference(field.getValue(), path + "." + field.getKey());
                if (found.isPresent()) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            int i = 0;
            for (Iterator<JsonNode> it = node.iterator(); it.hasNext(); i++) {
                Optional<Violation> found = externalReference(it.next(), path + "[" + i + "]");
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** Stores a checked definition; returns it as stored. */
    public RemoteType put(String name, String description, JsonNode schema, Duration timeout, Integer maxAttempts,
            Priority priority) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("description", description == null ? "" : description);
        fields.put("schema", json.writeValueAsString(schema));
        fields.put("timeoutMs", Long.toString((timeout == null ? Duration.ofMinutes(5) : timeout).toMillis()));
        fields.put("maxAttempts", Integer.toString(maxAttempts == null ? 3 : maxAttempts));
        fields.put("priority", (priority == null ? Priority.NORMAL : priority).wire());
        long version = ledger.putType(name, fields);
        cache.remove(name);
        fields.put("version", Long.toString(version));
        return fromFields(name, fields);
    }

    /** Removes a type unless jobs of it wait or run. */
    public RemoteLedger.Removal delete(String name) {
        RemoteLedger.Removal removal = ledger.deleteType(name);
        cache.remove(name);
        return removal;
    }

    private static RemoteType fromFields(String name, Map<String, String> fields) {
        return new RemoteType(name, fields.getOrDefault("description", ""), fields.getOrDefault("schema", "true"),
                Duration.ofMillis(Long.parseLong(fields.getOrDefault("timeoutMs", "300000"))),
                Integer.parseInt(fields.getOrDefault("maxAttempts", "3")),
                Priority.fromWire(fields.getOrDefault("priority", "normal")),
                Long.parseLong(fields.getOrDefault("version", "1")));
    }
}
