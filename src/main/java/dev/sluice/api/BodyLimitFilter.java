package dev.sluice.api;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.web.filter.OncePerRequestFilter;

import dev.sluice.web.Problems;

/**
 * Reads every request body of the API whole before anything parses it, and so bounds it two ways:
 * <ul>
 * <li>size: over {@code sluice.api.max-body-size} is 413, at once when Content-Length says so, else
 * as soon as a chunked body passes the limit (no JSON limit can fire first);</li>
 * <li>time: a body that has not fully arrived within {@code sluice.api.body-read-timeout} is 408, so a
 * client trickling bytes cannot hold a request thread for long (each single read is bounded by the
 * connector's {@code server.tomcat.connection-timeout}).</li>
 * <li>memory: the bodies this node holds at once, from the first byte read until the request is
 * answered, stay within {@code sluice.api.max-bodies-in-flight}; a request that would pass it is 503
 * busy with {@code Retry-After}, before anything is parsed or written. A body costs several times its
 * size while it is bound, validated and enqueued, so without this bound a handful of concurrent
 * maximum-size batches exhausted a small heap (24 batches of 1 MB killed a node with the image's
 * 160 MiB heap). Bytes are reserved as they arrive, so a client trickling a body holds only what it
 * has sent.</li>
 * </ul>
 */
class BodyLimitFilter extends OncePerRequestFilter {

    private final long limit;
    private final Duration readTimeout;
    private final JsonMapper json;
    private final MemoryBudget budget;

    BodyLimitFilter(long limit, Duration readTimeout, MemoryBudget budget, JsonMapper json) {
        this.limit = limit;
        this.readTimeout = readTimeout;
        this.json = json;
        this.budget = budget;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            readAndPass(request, response, chain);
        } finally {
            budget.release(request); // what the body and any listing reserved
        }
    }

    private void readAndPass(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            refuse(request, response, Problems.PAYLOAD_TOO_LARGE.detail(tooLarge()));
            return;
        }
        boolean hasBody = declared > 0 || request.getHeader("Transfer-Encoding") != null;
        if (!hasBody) {
            chain.doFilter(request, response);
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
        long deadline = System.nanoTime() + readTimeout.toNanos();
        byte[] buffer = new byte[8192];
        try (InputStream in = request.getInputStream()) {
            for (int n; (n = in.read(buffer)) != -1; ) {
                body.write(buffer, 0, n);
                if (body.size() > limit) {
                    refuse(request, response, Problems.PAYLOAD_TOO_LARGE.detail(tooLarge()));
                    return;
                }
                if (!budget.reserve(request, n)) {
                    refuseBusy(request, response);
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    refuse(request, response, slow());
                    return;
                }
            }
        } catch (IOException e) {
            // a read that timed out at the connector, or a client that went away mid-body
            refuse(request, response, slow());
            return;
        }
        chain.doFilter(new Buffered(request, body.toByteArray()), response);
    }

    private void refuseBusy(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ProblemException busy = budget.busy();
        response.setHeader(org.springframework.http.HttpHeaders.RETRY_AFTER, busy.retryAfter());
        refuse(request, response, busy.toProblem());
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response,
            org.springframework.http.ProblemDetail problem) throws IOException {
        response.setHeader("Connection", "close");
        Problems.write(request, response, problem, json);
    }

    private String tooLarge() {
        return "The body is larger than the " + limit + " bytes allowed (sluice.api.max-body-size).";
    }

    private org.springframework.http.ProblemDetail slow() {
        return Problems.REQUEST_TIMEOUT.detail("The body did not arrive whole within " + readTimeout.toMillis()
                + " ms (sluice.api.body-read-timeout).");
    }

    /** The request with its body already read. */
    private static final class Buffered extends HttpServletRequestWrapper {
        private final byte[] body;

        Buffered(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body was read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding != null && Charset.isSupported(encoding) ? Charset.forName(encoding)
                    : StandardCharsets.UTF_8;
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
