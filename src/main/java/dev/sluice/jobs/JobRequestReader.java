package dev.sluice.jobs;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;
import dev.sluice.queue.Priority;

/**
 * Reads the JSON of a job submission field by field, so that every mistake is reported at once with
 * its JSON path (a bad priority and a bad payload field, three bad jobs of a thousand), nothing is
 * coerced (no {@code 7.9} for 7, no bare number for a duration), unknown fields are refused rather
 * than dropped, and every number and duration is held to its documented maximum.
 */
@Component
public class JobRequestReader {

    static final Set<String> FIELDS = Set.of("type", "payload", "priority", "maxAttempts", "timeout", "delay",
            "runAt", "callback", "key");
    static final int MAX_ATTEMPTS = 100;
    static final int MAX_TYPE_LENGTH = 128;
    /** A job's key: 1 to 128 visible characters. */
    static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[^\\p{Cntrl}\\p{Space}\\x{85}\\x{A0}\\x{2028}\\x{2029}]{1,128}");

    /** What a fair-share key must be, as a refusal says it. */
    public static final String KEY_RULE = "must be 1 to 128 visible characters (no spaces or control characters)";

    /** Whether a fair-share key is well formed (1 to 128 visible characters), for filters that take one. */
    public static boolean isValidKey(String key) {
        return key != null && KEY.matcher(key).matches();
    }

    private final Duration maxTimeout;
    private final Duration maxDelay;
    private final Clock clock;
    private final org.springframework.beans.factory.ObjectProvider<Callback.Policy> callbacks;

    JobRequestReader(SluiceProperties properties, Clock clock,
            org.springframework.beans.factory.ObjectProvider<Callback.Policy> callbacks) {
        this.callbacks = callbacks;
        this.maxTimeout = properties.jobs().maxTimeout();
        this.maxDelay = properties.jobs().maxDelay();
        this.clock = clock;
    }

    /** A request as read, and what is wrong with it (empty when nothing is). */
    public record Read(JobRequest request, List<Violation> violations) {
    }

    /** Reads one job at {@code path} ({@code ""} for a whole body, {@code jobs[3].} in a batch). */
    public Read read(JsonNode node, String path, String owner) {
        List<Violation> violations = new ArrayList<>();
        if (node == null || !node.isObject()) {
            violations.add(new Violation(path.isEmpty() ? "body" : path.substring(0, path.length() - 1),
                    "must be a JSON object"));
            return new Read(null, violations);
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!FIELDS.contains(field.getKey())) {
                violations.add(new Violation(path + JsonText.printable(field.getKey()), "is not a known field"));
            }
        }
        String unicode = JsonText.invalidUnicodeAt(node, path.isEmpty() ? "" : path.substring(0, path.length() - 1));
        if (unicode != null) {
            violations.add(new Violation(unicode, "holds invalid Unicode (a lone surrogate)"));
        }
        String type = text(node, "type", path, violations, true);
        if (type != null && (type.isBlank() || type.length() > MAX_TYPE_LENGTH)) {
            violations.add(new Violation(path + "type", "must be 1 to " + MAX_TYPE_LENGTH + " characters"));
            type = null;
        }
        JsonNode payload = node.get("payload");
        if (payload != null && !payload.isObject() && !payload.isNull()) {
            violations.add(new Violation(path + "payload", "must be a JSON object"));
        }
        Priority priority = priority(node, path, violations);
        Integer maxAttempts = maxAttempts(node, path, violations);
        Duration timeout = duration(node, "timeout", path, violations, Duration.ofMillis(1), maxTimeout,
                "sluice.jobs.max-timeout");
        Duration delay = duration(node, "delay", path, violations, Duration.ZERO, maxDelay, "sluice.jobs.max-delay");
        Instant runAt = runAt(node, path, violations);
        if (node.has("delay") && node.has("runAt") && !node.get("delay").isNull() && !node.get("runAt").isNull()) {
            violations.add(new Violation(path + "runAt", "give delay or runAt, not both"));
        }
        Callback callback = callback(node, path, violations);
        String key = text(node, "key", path, violations, false);
        if (key != null && !KEY.matcher(key).matches()) {
            violations.add(new Violation(path + "key", KEY_RULE));
            key = null;
        }
        return new Read(new JobRequest(type, payload, priority, maxAttempts, timeout, delay, runAt, owner, callback, key),
                violations);
    }

    /** {@code callback: {url, events}}: an allowed URL, events among the final states (default: all). */
    Callback callback(JsonNode node, String path, List<Violation> violations) {
        JsonNode value = node.get("callback");
        if (value == null || value.isNull()) {
            return null;
        }
        String at = path + "callback";
        if (!value.isObject()) {
            violations.add(new Violation(at, "must be an object {url, events}"));
            return null;
        }
        for (String name : value.propertyNames()) {
            if (!name.equals("url") && !name.equals("events")) {
                violations.add(new Violation(at + "." + JsonText.printable(name), "is not a known field"));
            }
        }
        JsonFields fields = new JsonFields(value, at + ".", violations);
        String url = fields.text("url", true, 2048);
        List<String> events = fields.names("events", false, 4, java.util.regex.Pattern.compile("[a-z]{1,20}"),
                "one of " + String.join(", ", Callback.EVENTS));
        if (events != null) {
            for (int i = 0; i < events.size(); i++) {
                if (!Callback.EVENTS.contains(events.get(i))) {
                    violations.add(new Violation(at + ".events[" + i + "]", "must be one of " + String.join(", ", Callback.EVENTS)));
                }
            }
        }
        if (url == null) {
            return null;
        }
        Callback callback = new Callback(url, Set.copyOf(events == null ? Callback.EVENTS : events));
        Callback.Policy policy = callbacks.getIfAvailable();
        java.util.Optional<String> refused = policy == null ? java.util.Optional.of("cannot be delivered: no callback sender")
                : policy.refusal(callback);
        refused.ifPresent(reason -> violations.add(new Violation(at + ".url", reason)));
        return callback;
    }

    private static Priority priority(JsonNode node, String path, List<Violation> violations) {
        String name = text(node, "priority", path, violations, false);
        if (name == null) {
            return null;
        }
        try {
            return Priority.fromWire(name);
        } catch (IllegalArgumentException e) {
            violations.add(new Violation(path + "priority", "must be high, normal or low"));
            return null;
        }
    }

    private static Integer maxAttempts(JsonNode node, String path, List<Violation> violations) {
        JsonNode attempts = node.get("maxAttempts");
        if (attempts == null || attempts.isNull()) {
            return null;
        }
        if (!attempts.isIntegralNumber() || !attempts.canConvertToInt() || attempts.intValue() < 1
                || attempts.intValue() > MAX_ATTEMPTS) {
            violations.add(new Violation(path + "maxAttempts", "must be a whole number from 1 to " + MAX_ATTEMPTS));
            return null;
        }
        return attempts.intValue();
    }

    private Instant runAt(JsonNode node, String path, List<Violation> violations) {
        String text = text(node, "runAt", path, violations, false);
        if (text == null) {
            return null;
        }
        try {
            Instant runAt = Instant.parse(text);
            if (runAt.isAfter(clock.instant().plus(maxDelay))) {
                violations.add(new Violation(path + "runAt", "must be at most " + Durations.format(maxDelay)
                        + " from now (sluice.jobs.max-delay)"));
            }
            return runAt;
        } catch (DateTimeParseException e) {
            violations.add(new Violation(path + "runAt", "must be an ISO-8601 instant such as 2026-11-21T18:00:00Z"));
            return null;
        }
    }

    private static String text(JsonNode node, String field, String path, List<Violation> violations, boolean required) {
        return new JsonFields(node, path, violations).text(field, required, Integer.MAX_VALUE);
    }

    private static Duration duration(JsonNode node, String field, String path, List<Violation> violations,
            Duration min, Duration max, String setting) {
        return new JsonFields(node, path, violations).duration(field, min, max, setting);
    }
}
