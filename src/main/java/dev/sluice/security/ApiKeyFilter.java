package dev.sluice.security;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.sluice.config.SluiceProperties;

/**
 * Checks the {@code X-API-Key} header against the configured key hashes and the caller's role
 * against the route: 401 without a valid key, 403 when the role is not enough, both as problem+json.
 * Health, info and the API documentation need no key.
 */
final class ApiKeyFilter extends OncePerRequestFilter {

    static final String HEADER = "X-API-Key";

    private record Key(String name, byte[] hash, Caller.Role role) {
    }

    private final List<Key> keys;
    private final JsonMapper json;

    ApiKeyFilter(List<SluiceProperties.Security.ApiKey> configured, JsonMapper json) {
        this.keys = configured.stream().map(k -> new Key(k.name(),
                HexFormat.of().parseHex(k.hash().substring("sha256:".length()).toLowerCase()),
                Caller.Role.valueOf(k.role().toUpperCase()))).toList();
        this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (isOpen(path)) {
            chain.doFilter(request, response);
            return;
        }
        Caller caller = identify(request.getHeader(HEADER));
        if (caller == null) {
            response.setHeader("WWW-Authenticate", "ApiKey header=\"" + HEADER + "\"");
            refuse(response, request, HttpStatus.UNAUTHORIZED, "missing-api-key", "An API key is needed",
                    "Send a valid key in the " + HEADER + " header.");
            return;
        }
        if (needsAdmin(request.getMethod(), path) && !caller.isAdmin()) {
            refuse(response, request, HttpStatus.FORBIDDEN, "forbidden", "Not allowed for this key",
                    "This needs an admin key; the key '" + caller.name() + "' is a producer key.");
            return;
        }
        request.setAttribute(Caller.ATTRIBUTE, caller);
        chain.doFilter(request, response);
    }

    /** Probes, build info and the API documentation (and the dashboard's static files) are public. */
    static boolean isOpen(String path) {
        return path.startsWith("/actuator/health") || path.equals("/actuator/info")
                || path.startsWith("/swagger-ui") || path.startsWith("/v3/api-docs")
                || !(path.startsWith("/api/") || path.startsWith("/actuator"));
    }

    /** What only an admin may do: change or list what is not theirs, watch everything, read metrics. */
    static boolean needsAdmin(String method, String path) {
        if (path.startsWith("/actuator")) {
            return true;
        }
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (path.startsWith("/api/jobs")) {
            return method.equals("DELETE") || path.endsWith("/retry") || (read && path.equals("/api/jobs"));
        }
        if (path.startsWith("/api/orders")) {
            return read && path.equals("/api/orders");
        }
        return path.startsWith("/api/queues") || path.startsWith("/api/events") || path.startsWith("/api/dead-letters");
    }

    private Caller identify(String key) {
        if (key == null || key.isEmpty()) {
            return null;
        }
        byte[] hash = sha256(key);
        Caller found = null;
        for (Key candidate : keys) {
            if (MessageDigest.isEqual(candidate.hash(), hash)) {
                found = new Caller(candidate.name(), candidate.role());
            }
        }
        return found;
    }

    static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void refuse(HttpServletResponse response, HttpServletRequest request, HttpStatus status, String slug,
            String title, String detail) throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("/problems/" + slug));
        problem.setTitle(title);
        problem.setInstance(URI.create(request.getRequestURI()));
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        json.writeValue(response.getOutputStream(), problem);
    }
}
