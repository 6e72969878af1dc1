package dev.sluice.jobs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;

/**
 * Reads one JSON object field by field, adding every mistake to a list of violations under its JSON
 * path instead of stopping at the first: the request readers' shared vocabulary (strings, bounded whole
 * numbers, durations, lists of names), with no coercion (a number is not a string, 7.9 is not 7).
 */
public final class JsonFields {

    private final JsonNode node;
    private final String path;
    private final List<Violation> violations;

    /** {@code path} is put before every field name: empty for a body, {@code jobs[3].} inside a list. */
    public JsonFields(JsonNode node, String path, List<Violation> violations) {
        this.node = node;
        this.path = path;
        this.violations = violations;
    }

    /** Reads a request body that must be a JSON object with only {@code known} fields; null when it is not an object. */
    public static JsonFields object(JsonNode body, Set<String> known, List<Violation> violations) {
        if (body == null || !body.isObject()) {
            violations.add(new Violation("body", "must be a JSON object"));
            return null;
        }
        for (String name : body.propertyNames()) {
            if (!known.contains(name)) {
                violations.add(new Violation(JsonText.printable(name), "is not a known field"));
            }
        }
        return new JsonFields(body, "", violations);
    }

    public JsonNode node(String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value;
    }

    public String text(String field, boolean required, int maxLength) {
        JsonNode value = node(field);
        if (value == null) {
            if (required) {
                violations.add(new Violation(path + field, "is required"));
            }
            return null;
        }
        if (!value.isString()) {
            violations.add(new Violation(path + field, "must be a string"));
            return null;
        }
        if (value.asString().length() > maxLength) {
            violations.add(new Violation(path + field, "must be at most " + maxLength + " characters"));
            return null;
        }
        return value.asString();
    }

    public Integer integer(String field, int min, int max) {
        JsonNode value = node(field);
        if (value == null) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
            violations.add(new Violation(path + field, "must be a whole number from " + min + " to " + max));
            return null;
        }
        return value.intValue();
    }

    public Boolean bool(String field) {
        JsonNode value = node(field);
        if (value == null) {
            return null;
        }
        if (!value.isBoolean()) {
            violations.add(new Violation(path + field, "must be true or false"));
            return null;
        }
        return value.booleanValue();
    }

    /** A duration such as {@code 5s} or {@code PT5S}, from {@code min} to {@code max} ({@code setting} names the bound). */
    public Duration duration(String field, Duration min, Duration max, String setting) {
        JsonNode value = node(field);
        if (value == null) {
            return null;
        }
        Duration duration = value.isString() ? Durations.parse(value.asString()).orElse(null) : null;
        if (duration == null) {
            violations.add(new Violation(path + field, "must be " + Durations.EXAMPLES));
        } else if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
            violations.add(new Violation(path + field, "must be from " + Durations.format(min) + " to "
                    + Durations.format(max) + (setting.isEmpty() ? "" : " (" + setting + ")")));
            return null;
        }
        return duration;
    }

    /** A list of 1 to {@code max} distinct strings, each matching {@code pattern} (described by {@code what}). */
    public List<String> names(String field, boolean required, int max, Pattern pattern, String what) {
        JsonNode value = node(field);
        if (value == null) {
            if (required) {
                violations.add(new Violation(path + field, "is required"));
            }
            return null;
        }
        if (!value.isArray() || value.isEmpty() || value.size() > max) {
            violations.add(new Violation(path + field, "must be a list of 1 to " + max + " names"));
            return null;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isString() || !pattern.matcher(item.asString()).matches()) {
                violations.add(new Violation(path + field + "[" + i + "]", "must be " + what));
            } else if (names.contains(item.asString())) {
                violations.add(new Violation(path + field + "[" + i + "]", "is named twice"));
            } else {
                names.add(item.asString());
            }
        }
        return names;
    }
}
