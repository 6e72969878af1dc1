package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

import dev.sluice.support.Api;
import dev.sluice.support.IntegrationTest;

/**
 * Runs every request of every file in {@code http-requests/} against the app, in file order, and
 * checks the status each declares with {@code # expect <status>}, so the files can never rot. Supports
 * what the files use: {@code ###} separators, {@code # @name}, {@code {{baseUrl}}} and
 * {@code {{name.response.body.$.field}}} and {@code {{name.response.body.$[0].field}}} (the REST Client syntax).
 */
@org.springframework.test.context.TestPropertySource(properties = {
        "sluice.http.allowed-targets[0]=http://127.0.0.1", "sluice.callbacks.secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
class HttpRequestFilesTests extends IntegrationTest {

    private static final Pattern VARIABLE = Pattern.compile("\\{\\{([^}]+)}}");

    record Request(String file, String title, String name, int expect, String method, String url,
            Map<String, String> headers, String body) {
    }

    @TestFactory
    Stream<DynamicTest> everyRequestAnswersWithTheStatusItDeclares() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(Path.of("http-requests"))) {
            files = listing.filter(p -> p.toString().endsWith(".http")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        Map<String, JsonNode> responses = new HashMap<>();
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : files) {
            for (Request request : parse(file)) {
                tests.add(DynamicTest.dynamicTest(file.getFileName() + ": " + request.title(), () -> {
                    Api.Response response = send(request, responses);
                    assertThat(response.status()).as("%s %s -> %s", request.method(), request.url(), response.body())
                            .isEqualTo(request.expect());
                    if (response.status() >= 400) {
                        assertThat(response.contentType()).startsWith("application/problem+json");
                    }
                    if (request.name() != null && (response.body().startsWith("{") || response.body().startsWith("["))) {
                        responses.put(request.name(), response.json());
                    }
                }));
            }
        }
        assertThat(tests).hasSizeGreaterThan(20);
        return tests.stream();
    }

    private Api.Response send(Request request, Map<String, JsonNode> responses) {
        String url = substitute(request.url(), responses);
        String body = substitute(request.body(), responses);
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).method(request.method(),
                body.isBlank() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        request.headers().forEach((name, value) -> builder.header(name, substitute(value, responses)));
        return api.send(builder);
    }

    private String substitute(String text, Map<String, JsonNode> responses) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String variable = m.group(1).trim();
            String value;
            if (variable.equals("baseUrl")) {
                value = "http://127.0.0.1:" + port;
            } else {
                String[] parts = variable.split("\\.");
                JsonNode node = responses.get(parts[0]);
                assertThat(node).as("response of request '%s' for {{%s}}", parts[0], variable).isNotNull();
                for (int i = 3; i < parts.length; i++) {
                    String part = parts[i];
                    int bracket = part.indexOf('[');
                    String field = bracket < 0 ? part : part.substring(0, bracket);
                    if (!field.equals("$") && !field.isEmpty()) {
                        node = node.path(field);
                    }
                    for (String index : bracket < 0 ? new String[0] : part.substring(bracket + 1).split("\\]\\[?")) {
                        if (!index.isEmpty()) {
                            node = node.path(Integer.parseInt(index)); // $[0]: an element of an array
                        }
                    }
                }
                value = node.asString();
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static List<Request> parse(Path file) throws IOException {
        List<Request> requests = new ArrayList<>();
        String[] blocks = Files.readString(file).split("(?m)^###");
        for (int b = 1; b < blocks.length; b++) {
            List<String> lines = blocks[b].lines().toList();
            String title = lines.get(0).trim();
            String name = null;
            int expect = 200;
            String method = null;
            String url = null;
            Map<String, String> headers = new HashMap<>();
            StringBuilder body = new StringBuilder();
            boolean inBody = false;
            for (String line : lines.subList(1, lines.size())) {
                if (!inBody && line.startsWith("#")) {
                    String comment = line.substring(1).trim();
                    if (comment.startsWith("@name")) {
                        name = comment.substring(5).trim();
                    } else if (comment.startsWith("expect")) {
                        expect = Integer.parseInt(comment.substring(6).trim());
                    }
                } else if (method == null) {
                    if (!line.isBlank()) {
                        String[] parts = line.trim().split("\\s+");
                        method = parts[0];
                        url = parts[1];
                    }
                } else if (!inBody) {
                    if (line.isBlank()) {
                        inBody = true;
                    } else {
                        int colon = line.indexOf(':');
                        headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                    }
                } else {
                    body.append(line).append('\n');
                }
            }
            requests.add(new Request(file.getFileName().toString(), title, name, expect, method, url, headers,
                    body.toString().trim()));
        }
        return requests;
    }
}
