package dev.sluice.outbound;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.stereotype.Component;

import dev.sluice.config.SluiceProperties;
import dev.sluice.jobs.PermanentJobFailure;
import dev.sluice.jobs.RetryLater;

/**
 * Sends one request for a worker thread with the JDK's HttpClient and turns the answer into a job's
 * outcome: {@code 2xx} is the result; {@code 429} or {@code 503} with Retry-After is "call again then"
 * ({@link RetryLater#throttled}); {@code 408}, {@code 409}, {@code 425}, other {@code 5xx}, connection
 * errors and time-outs are failures retried with back-off; any other {@code 4xx} fails for good.
 * Redirects are followed by hand (at most 5), each one checked against the allowed targets.
 */
@Component
public class HttpCaller {

    /** The response headers kept in a result: nothing that could carry a credential or a cookie. */
    static final List<String> SAFE_HEADERS = List.of("content-type", "content-length", "location", "retry-after",
            "etag", "last-modified", "date", "x-request-id");
    private static final int MAX_REDIRECTS = 5;
    private static final int ERROR_SNIPPET = 200;
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    private final HttpTargets targets;
    private final int maxResponse;
    private final Duration defaultTimeout;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();

    private final dev.sluice.queue.Traces traces;

    HttpCaller(HttpTargets targets, SluiceProperties properties, dev.sluice.queue.Traces traces) {
        this.targets = targets;
        this.traces = traces;
        this.maxResponse = (int) properties.http().maxResponseSize().toBytes();
        this.defaultTimeout = properties.http().defaultTimeout();
    }

    /** A request to send (its URL and headers checked at submission); timeout null: the target's or the default. */
    public record Call(URI uri, String method, Map<String, String> headers, byte[] body, Duration timeout) {
    }

    /** What came back: status, the safe headers, the body (text, capped) and whether it was cut. */
    public record Answer(int status, Map<String, String> headers, String body, boolean truncated) {
    }

    /** Sends {@code call} within its target's concurrency; throws as described above when it did not succeed. */
    public Answer send(Call call) throws InterruptedException {
        Optional<HttpTargets.Limit> limit = targets.limit(call.uri());
        if (limit.isPresent() && !limit.get().slots().tryAcquire()) {
            throw RetryLater.deferred("target '" + limit.get().name() + "' has all its " + limit.get().concurrency()
                    + " slots busy on this node", Duration.ofMillis(200 + ThreadLocalRandom.current().nextInt(300)));
        }
        try {
            // the call's own timeout, else its target's, else sluice.http.default-timeout
            Duration timeout = call.timeout() != null ? call.timeout()
                    : limit.map(HttpTargets.Limit::timeout).orElse(defaultTimeout);
            Answer answer = follow(call, timeout);
            judge(answer);
            return answer;
        } finally {
            limit.ifPresent(l -> l.slots().release());
        }
    }

    private Answer follow(Call call, Duration timeout) throws InterruptedException {
        Call current = call;
        for (int hop = 0; ; hop++) {
            Optional<String> refused = targets.refusalWhenResolved(current.uri());
            if (refused.isPresent()) {
                throw new PermanentJobFailure((hop == 0 ? "the URL " : "a redirect to " + current.uri() + ": it ")
                        + refused.get());
            }
            Answer answer = once(current, timeout);
            String location = answer.headers().get("location");
            if (answer.status() / 100 != 3 || location == null || answer.status() == 304) {
                return answer;
            }
            if (hop == MAX_REDIRECTS) {
                throw new PermanentJobFailure("more than " + MAX_REDIRECTS + " redirects");
            }
            URI next = current.uri().resolve(location);
            boolean asGet = answer.status() == 303 || (answer.status() == 301 || answer.status() == 302)
                    && current.method().equals("POST");
            current = new Call(next, asGet ? "GET" : current.method(), current.headers(), asGet ? null : current.body(),
                    current.timeout());
        }
    }

    private Answer once(Call call, Duration timeout) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(call.uri()).timeout(timeout)
                .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(call.body()));
        call.headers().forEach(request::header);
        // the attempt's trace goes on downstream (an http job's or a callback's request joins it)
        String traceparent = traces.current();
        if (!traceparent.isEmpty() && call.headers().keySet().stream().noneMatch("traceparent"::equalsIgnoreCase)) {
            request.header("traceparent", traceparent);
        }
        try {
            HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            Map<String, String> headers = new LinkedHashMap<>();
            for (String name : SAFE_HEADERS) {
                response.headers().firstValue(name).ifPresent(value -> headers.put(name, value));
            }
            try (InputStream in = response.body()) {
                byte[] bytes = in.readNBytes(maxResponse + 1);
                boolean truncated = bytes.length > maxResponse;
                String body = new String(bytes, 0, Math.min(bytes.length, maxResponse), StandardCharsets.UTF_8);
                return new Answer(response.statusCode(), headers, body, truncated);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(call.method() + " " + call.uri().getHost() + " failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    private static void judge(Answer answer) {
        int status = answer.status();
        if (status / 100 == 2) {
            return;
        }
        String what = "HTTP " + status + (answer.body().isEmpty() ? "" : ": "
                + answer.body().substring(0, Math.min(ERROR_SNIPPET, answer.body().length())));
        Optional<Duration> retryAfter = retryAfter(answer.headers().get("retry-after"));
        if ((status == 429 || status == 503) && retryAfter.isPresent()) {
            throw RetryLater.throttled(what, retryAfter.get());
        }
        if (status / 100 == 4 && status != 408 && status != 409 && status != 425 && status != 429) {
            throw new PermanentJobFailure(what);
        }
        throw new HttpStatusException(status, what);
    }

    /** Retry-After as seconds or an HTTP date, from now; capped at an hour. */
    static Optional<Duration> retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        Duration after;
        try {
            after = Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            try {
                after = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT)));
            } catch (RuntimeException unparsable) {
                return Optional.empty();
            }
        }
        if (after.isNegative()) {
            after = Duration.ZERO;
        }
        return Optional.of(after.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : after);
    }

    /** A status that is retried with back-off (5xx, 408, 409, 425, 429 without Retry-After). */
    public static class HttpStatusException extends RuntimeException {
        private final int status;

        HttpStatusException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }
}
