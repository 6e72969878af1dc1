package dev.sluice.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import redis.embedded.RedisServer;

/**
 * Picks the Redis every test in this JVM talks to, once, and says which:
 * <ol>
 * <li>{@code SLUICE_TEST_REDIS_URL} when set (CI points it at the machine's Redis 7, in a database of
 * its own). Tests keep to their own random key namespace there and never flush anything;</li>
 * <li>a Testcontainers {@code redis:7} container when a Docker engine answers;</li>
 * <li>else an embedded {@code redis-server} (6.2) on a free port.</li>
 * </ol>
 * No test skips itself for want of Docker.
 */
public final class TestRedis {

    private static final Logger log = LoggerFactory.getLogger(TestRedis.class);
    private static volatile String url;

    private TestRedis() {
    }

    public static synchronized String url() {
        if (url == null) {
            url = choose();
        }
        return url;
    }

    private static String choose() {
        String configured = System.getenv("SLUICE_TEST_REDIS_URL");
        if (configured != null && !configured.isBlank()) {
            log.info("Tests use the Redis at SLUICE_TEST_REDIS_URL={}", configured);
            return configured;
        }
        if (dockerAnswers()) {
            GenericContainer<?> container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
            container.start();
            String containerUrl = "redis://" + container.getHost() + ":" + container.getMappedPort(6379);
            log.info("Tests use a Testcontainers redis:7 at {}", containerUrl);
            return containerUrl;
        }
        EmbeddedServer server = EmbeddedServer.start(false);
        log.info("No SLUICE_TEST_REDIS_URL and no Docker engine: tests use an embedded redis-server at {}",
                server.url());
        return server.url();
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** A real redis-server process a test can start, stop and start again on the same port and data. */
    public static final class EmbeddedServer {

        private final int port;
        private final Path dir;
        private final boolean appendOnly;
        private RedisServer server;

        private EmbeddedServer(int port, Path dir, boolean appendOnly) {
            this.port = port;
            this.dir = dir;
            this.appendOnly = appendOnly;
        }

        /** Starts a server on a free port, with an append-only file when asked. */
        public static EmbeddedServer start(boolean appendOnly) {
            try {
                EmbeddedServer server = new EmbeddedServer(freePort(), Files.createTempDirectory("sluice-redis"),
                        appendOnly);
                server.start();
                return server;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public synchronized void start() {
            try {
                server = RedisServer.newRedisServer()
                        .port(port)
                        .bind("127.0.0.1")
                        .setting("dir " + dir)
                        .setting(appendOnly ? "appendonly yes" : "appendonly no")
                        .setting("appendfsync everysec")
                        .setting("save \"\"")
                        .onShutdownForceStop(true)
                        .build();
                server.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public synchronized void stop() {
            try {
                server.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public int port() {
            return port;
        }

        public String url() {
            return "redis://127.0.0.1:" + port;
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
