package dev.sluice.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;

/** The packaged Sluice jar running as a process of its own, which a test can kill. */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private ServiceProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code java -jar} on the jar Maven built and waits until the service is ready. */
    public static ServiceProcess start(String redisUrl, String namespace, String... settings) {
        String jar = System.getProperty("sluice.jar");
        if (jar == null || !new File(jar).isFile()) {
            throw new IllegalStateException("No packaged jar at sluice.jar=" + jar + "; run this test with ./mvnw verify");
        }
        int port = TestRedis.freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", jar,
                "--server.port=" + port, "--server.address=127.0.0.1", "--spring.data.redis.url=" + redisUrl,
                "--sluice.embedded-redis.enabled=false", "--sluice.namespace=" + namespace));
        for (String setting : settings) {
            command.add("--" + setting);
        }
        Path log = Path.of("target", "service-" + port + ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            ServiceProcess service = new ServiceProcess(process, port, log);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("the service exited; see " + log.toAbsolutePath());
                        }
                        return service.api().get("/actuator/health/readiness").status() == 200;
                    });
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Api api() {
        return new Api(port);
    }

    public long pid() {
        return process.pid();
    }

    /** kill -9: no shutdown hook runs, nothing is drained or deregistered. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    public Path log() {
        return log;
    }
}
