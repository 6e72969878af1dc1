package dev.sluice.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A closed-loop HTTP/1.1 load generator over raw keep-alive sockets: each connection sends a request,
 * reads the whole response, and sends the next. Deliberately minimal, so that on a small machine the
 * client costs the server under test as little CPU as possible. Targets 127.0.0.1 only; bounded by a
 * deadline and a request cap.
 */
final class HttpLoad {

    record Result(long requests, long failures, double seconds, Histogram latency) {
        double perSecond() {
            return requests / seconds;
        }
    }

    private HttpLoad() {
    }

    /**
     * @param body     the request body for the i-th request of a connection
     * @param maxTotal stop after this many requests in all, even before the deadline
     */
    static Result run(int port, String path, int connections, Duration warmUp, Duration measure,
            IntFunction<String> body, long maxTotal) throws InterruptedException {
        AtomicLong budget = new AtomicLong(maxTotal);
        long start = System.nanoTime();
        long measureFrom = start + warmUp.toNanos();
        long deadline = measureFrom + measure.toNanos();
        List<Worker> workers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Worker worker = new Worker(port, path, body, measureFrom, deadline, budget);
            workers.add(worker);
            worker.start();
        }
        Histogram latency = new Histogram();
        long requests = 0;
        long failures = 0;
        long lastEnd = measureFrom;
        for (Worker worker : workers) {
            worker.join();
            latency.add(worker.latency);
            requests += worker.measured;
            failures += worker.failures;
            lastEnd = Math.max(lastEnd, worker.lastEnd);
        }
        if (workers.stream().anyMatch(w -> w.error != null)) {
            throw new IllegalStateException("load connection failed", workers.stream()
                    .filter(w -> w.error != null).findFirst().orElseThrow().error);
        }
        return new Result(requests, failures, Math.max(1, lastEnd - measureFrom) / 1e9, latency);
    }

    private static final class Worker extends Thread {
        private final int port;
        private final String path;
        private final IntFunction<String> body;
        private final long measureFrom;
        private final long deadline;
        private final AtomicLong budget;
        final Histogram latency = new Histogram();
        long measured;
        long failures;
        long lastEnd;
        Exception error;

        Worker(int port, String path, IntFunction<String> body, long measureFrom, long deadline, AtomicLong budget) {
            super("bench-load");
            setDaemon(true);
            this.port = port;
            this.path = path;
            this.body = body;
            this.measureFrom = measureFrom;
            this.deadline = deadline;
            this.budget = budget;
        }

        @Override
        public void run() {
            Socket socket = null;
            try {
                OutputStream out = null;
                InputStream in = null;
                for (int i = 0; System.nanoTime() < deadline && budget.decrementAndGet() >= 0; i++) {
                    if (socket == null) {
                        // (re)connect: the server may close a keep-alive connection after some requests
                        socket = new Socket("127.0.0.1", port);
                        socket.setTcpNoDelay(true);
                        out = socket.getOutputStream();
                        in = new BufferedInputStream(socket.getInputStream(), 65536);
                    }
                    byte[] payload = body.apply(i).getBytes(StandardCharsets.UTF_8);
                    byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + payload.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                    long sent = System.nanoTime();
                    out.write(head);
                    out.write(payload);
                    out.flush();
                    int response = readResponse(in);
                    long done = System.nanoTime();
                    int status = Math.abs(response);
                    if (response < 0) {
                        socket.close();
                        socket = null;
                    }
                    if (sent >= measureFrom && done <= deadline) {
                        latency.record(done - sent);
                        measured++;
                        lastEnd = done;
                        if (status >= 300) {
                            failures++;
                        }
                    }
                }
            } catch (IOException e) {
                error = e;
            } finally {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // closing anyway
                    }
                }
            }
        }
    }

    /**
     * Reads one response (Content-Length or chunked) and returns its status, negated when the server
     * closes the connection after it.
     */
    static int readResponse(InputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        for (String header; !(header = line(in)).isEmpty(); ) {
            String lower = header.toLowerCase();
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        if (chunked) {
            for (long size; (size = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0; ) {
                skip(in, size);
                line(in);
            }
            line(in);
        } else if (length > 0) {
            skip(in, length);
        }
        return close ? -status : status;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    private static void skip(InputStream in, long n) throws IOException {
        for (long left = n; left > 0; ) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new UncheckedIOException(new IOException("connection closed mid-body"));
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }
}
