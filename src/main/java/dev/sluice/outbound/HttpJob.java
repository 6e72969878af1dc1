package dev.sluice.outbound;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;
import dev.sluice.jobs.Durations;
import dev.sluice.jobs.JobContext;
import dev.sluice.jobs.JobHandler;
import dev.sluice.jobs.Violation;

/**
 * The built-in {@code http} job type: calls your service in the background, at the pace the pool (and
 * the target's concurrency) allows, retrying until it works (Cloud Tasks' HTTP targets, self-hosted).
 */
@Component
class HttpJob implements JobHandler<HttpJob.Payload> {

    /** Headers a payload may not set: the client sets them, or they would let a request be read two ways. */
    static final Set<String> RESERVED = Set.of("host", "content-length", "connection", "transfer-encoding", "expect",
            "upgrade", "keep-alive", "te", "trailer", "proxy-connection", "http2-settings");
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}");
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

    /**
     * @param url     where to send it; must match sluice.http.allowed-targets
     * @param method  GET, POST (default), PUT, PATCH, DELETE or HEAD
     * @param headers request headers (not the secret ones: use auth)
     * @param body    JSON (sent as application/json) or a string (sent as text/plain unless a Content-Type is given)
     * @param timeout the request's timeout, e.g. "10s" (default: the target's, else sluice.http.default-timeout)
     * @param auth    the name of a configured credential (sluice.http.auth.&lt;name&gt;), added when sent
     */
    public record Payload(
            @NotBlank @Size(max = 2048) String url,
            @Pattern(regexp = "GET|POST|PUT|PATCH|DELETE|HEAD", message = "must be GET, POST, PUT, PATCH, DELETE or HEAD")
            String method,
            @Size(max = 50, message = "may hold at most 50 headers") Map<String, String> headers,
            JsonNode body,
            String timeout,
            @Size(max = 100) String auth) {
    }

    private final HttpTargets targets;
    private final HttpCaller caller;
    private final JsonMapper json;
    private final SluiceProperties.Http settings;
    private final Set<String> secret = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

    HttpJob(HttpTargets targets, HttpCaller caller, JsonMapper json, SluiceProperties properties) {
        this.targets = targets;
        this.caller = caller;
        this.json = json;
        this.settings = properties.http();
        secret.addAll(settings.secretHeaders());
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public Class<Payload> payloadType() {
        return Payload.class;
    }

    @Override
    public String description() {
        return "Sends an HTTP request to an allowed target; 2xx succeeds, 429/503 with Retry-After is retried then, "
                + "other 4xx fail for good, 5xx and network errors are retried with back-off.";
    }

    @Override
    public Payload example() {
        return new Payload("http://localhost:8080/actuator/health", "GET", Map.of("Accept", "application/json"), null,
                "10s", null);
    }

    @Override
    public Duration timeout() {
        return Duration.ofMinutes(2);
    }

    @Override
    public int maxAttempts() {
        return 5;
    }

    @Override
    public List<Violation> check(Payload payload) {
        List<Violation> violations = new ArrayList<>();
        targets.refusal(payload.url()).ifPresent(reason -> violations.add(new Violation("payload.url", reason)));
        if (payload.headers() != null) {
            payload.headers().forEach((name, value) -> {
                String field = "payload.headers." + (TOKEN.matcher(name).matches() ? name : "?");
                if (!TOKEN.matcher(name).matches()) {
                    violations.add(new Violation(field, "is not a valid header name"));
                } else if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                    violations.add(new Violation(field, "is set by Sluice's client and may not be given"));
                } else if (secret.contains(name)) {
                    violations.add(new Violation(field, "is a secret header (sluice.http.secret-headers): it would be "
                            + "stored and shown with the job; name a configured credential with \"auth\" instead"));
                } else if (value == null || value.length() > 8192 || value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                    violations.add(new Violation(field, "must be a value of at most 8192 characters, without line breaks"));
                }
            });
        }
        if (payload.auth() != null && !settings.auth().containsKey(payload.auth())) {
            violations.add(new Violation("payload.auth", "names no configured credential (sluice.http.auth."
                    + (payload.auth().matches("[A-Za-z0-9._-]{1,100}") ? payload.auth() : "?") + ")"));
        }
        if (payload.timeout() != null) {
            Duration timeout = Durations.parse(payload.timeout()).orElse(null);
            if (timeout == null || timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_TIMEOUT) > 0) {
                violations.add(new Violation("payload.timeout", "must be from 1ms to 1h, " + Durations.EXAMPLES));
            }
        }
        return violations;
    }

    @Override
    public Object handle(Payload payload, JobContext context) throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        if (payload.headers() != null) {
            headers.putAll(payload.headers());
        }
        byte[] body = null;
        if (payload.body() != null && !payload.body().isNull()) {
            boolean text = payload.body().isString();
            body = (text ? payload.body().asString() : json.writeValueAsString(payload.body())).getBytes(StandardCharsets.UTF_8);
            if (headers.keySet().stream().noneMatch(name -> name.equalsIgnoreCase("content-type"))) {
                headers.put("Content-Type", text ? "text/plain; charset=utf-8" : "application/json");
            }
        }
        headers.putIfAbsent("User-Agent", "Sluice");
        headers.put("Sluice-Job-Id", context.jobId());
        headers.put("Sluice-Attempt", Integer.toString(context.attempt()));
        if (payload.auth() != null) {
            SluiceProperties.Http.Credential credential = settings.auth().get(payload.auth());
            headers.put(credential.header(), credential.value());
        }
        Duration timeout = payload.timeout() == null ? null : Durations.parse(payload.timeout()).orElse(null);
        HttpCaller.Answer answer = caller.send(new HttpCaller.Call(URI.create(payload.url()),
                payload.method() == null ? "POST" : payload.method(), headers, body,
                timeout));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", answer.status());
        result.put("headers", answer.headers());
        result.put("body", bodyOf(answer));
        result.put("truncated", answer.truncated());
        return result;
    }

    /** A JSON body as JSON, anything else as text. */
    private Object bodyOf(HttpCaller.Answer answer) {
        String type = answer.headers().getOrDefault("content-type", "");
        if (!answer.truncated() && type.toLowerCase(Locale.ROOT).contains("json") && !answer.body().isBlank()) {
            try {
                return json.readTree(answer.body());
            } catch (RuntimeException e) {
                return answer.body();
            }
        }
        return answer.body();
    }
}
