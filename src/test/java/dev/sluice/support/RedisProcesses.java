package dev.sluice.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;

/**
 * Real {@code redis-server} processes (Redis 7 from the machine, not the embedded 6.2) on free
 * loopback ports, owned by one test: single servers, replicas, a Redis Cluster, Sentinels. A test can
 * kill one with SIGKILL, pause it with SIGSTOP and start it again on the same port and files.
 * Administration goes through {@code redis-cli}. Where no {@code redis-server} ≥ 7 exists the test is
 * skipped with one line; under CI ({@code CI=true}) it fails instead, so CI never skips it.
 */
public final class RedisProcesses implements AutoCloseable {

    private final Path root;
    private final List<Server> servers = new ArrayList<>();

    public RedisProcesses() {
        requireRedis7();
        try {
            root = Files.createTempDirectory("sluice-redis-procs");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Skips the calling test when there is no redis-server ≥ 7 here; fails under CI. */
    public static void requireRedis7() {
        String version;
        try {
            Process process = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
            version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
        } catch (IOException e) {
            version = "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Matcher matcher = Pattern.compile("v=(\\d+)\\.").matcher(version);
        boolean usable = matcher.find() && Integer.parseInt(matcher.group(1)) >= 7;
        if (!usable) {
            String why = "this test needs redis-server >= 7 on the PATH (found: "
                    + (version.isBlank() ? "none" : version.strip()) + ")";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why + "; CI must not skip it");
            }
            Assumptions.abort(why);
        }
    }

    /** Starts a plain redis-server (no persistence) with extra {@code --name value} settings. */
    public Server server(String... settings) {
        int port = TestRedis.freePort();
        Path dir = root.resolve("server-" + port);
        List<String> args = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--protected-mode", "no"));
        args.addAll(Arrays.asList(settings));
        Server server = new Server(port, dir, args);
        servers.add(server);
        server.start();
        return server;
    }

    /** A replica of {@code master}, in sync before this returns. */
    public Server replicaOf(Server master) {
        Server replica = server("--replicaof", "127.0.0.1", Integer.toString(master.port()));
        await().atMost(Duration.ofSeconds(20)).until(() -> replica.info("replication").contains("master_link_status:up"));
        return replica;
    }

    /**
     * A Redis Cluster of {@code masters} masters with {@code replicasEach} replicas each, all slots
     * covered and agreed on, every replica in sync; node timeout 1 s, so a killed master's replica takes over within seconds.
     */
    public List<Server> cluster(int masters, int replicasEach) {
        List<Server> nodes = new ArrayList<>();
        for (int i = 0; i < masters * (1 + replicasEach); i++) {
            nodes.add(server("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0"));
        }
        List<String> create = new ArrayList<>(List.of("--cluster", "create"));
        nodes.forEach(node -> create.add("127.0.0.1:" + node.port()));
        create.addAll(List.of("--cluster-replicas", Integer.toString(replicasEach), "--cluster-yes"));
        cli(nodes.get(0).port(), create.toArray(String[]::new));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> nodes.stream()
                .allMatch(node -> node.cli("cluster", "info").contains("cluster_state:ok")));
        // and every replica in sync: a WAIT before that counts none
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> nodes.stream()
                .filter(Server::isMaster).allMatch(master -> master.onlineReplicas() >= replicasEach));
        return nodes;
    }

    /** Three Sentinels watching {@code master} as {@code name} (quorum 2, down after 1 s). */
    public List<Server> sentinels(String name, Server master, int count) {
        List<Server> sentinels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int port = TestRedis.freePort();
            Path dir = root.resolve("sentinel-" + port);
            Path conf = dir.resolve("sentinel.conf");
            try {
                Files.createDirectories(dir);
                Files.writeString(conf, String.join("\n",
                        "port " + port, "bind 127.0.0.1", "dir " + dir, "protected-mode no",
                        "sentinel monitor " + name + " 127.0.0.1 " + master.port() + " 2",
                        "sentinel down-after-milliseconds " + name + " 1000",
                        "sentinel failover-timeout " + name + " 5000",
                        "sentinel parallel-syncs " + name + " 1", ""));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Server sentinel = new Server(port, dir, List.of("redis-server", conf.toString(), "--sentinel"));
            servers.add(sentinel);
            sentinel.start();
            sentinels.add(sentinel);
        }
        return sentinels;
    }

    /** Runs {@code redis-cli -p port args…} and returns what it printed. */
    public static String cli(int port, String... args) {
        List<String> command = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(Arrays.asList(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        servers.forEach(Server::kill);
    }

    /** One redis-server (or Sentinel) process. */
    public static final class Server {

        private final int port;
        private final Path dir;
        private final List<String> command;
        private Process process;

        Server(int port, Path dir, List<String> command) {
            this.port = port;
            this.dir = dir;
            this.command = command;
        }

        /** Starts it (again, on the same port and files) and waits until it answers PING. */
        public synchronized void start() {
            try {
                Files.createDirectories(dir);
                process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("log").toFile()).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> cli("ping").contains("PONG"));
        }

        /** kill -9: nothing is flushed or handed over. */
        public synchronized void kill() {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                try {
                    process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** SIGSTOP: the process stays, and answers nothing until {@link #resume}. */
        public void pause() {
            signal("STOP");
        }

        public void resume() {
            signal("CONT");
        }

        private void signal(String name) {
            try {
                new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        public int port() {
            return port;
        }

        public String address() {
            return "127.0.0.1:" + port;
        }

        public String cli(String... args) {
            return RedisProcesses.cli(port, args);
        }

        public String info(String section) {
            return cli("info", section);
        }

        public boolean isMaster() {
            return info("replication").contains("role:master");
        }

        /** Its replicas that are online now (INFO replication's slaveN lines). */
        public int onlineReplicas() {
            return (int) info("replication").lines().filter(line -> line.matches("slave\\d+:.*state=online.*")).count();
        }

        @Override
        public String toString() {
            return address();
        }
    }

    /** The comma-separated addresses of these servers, for {@code spring.data.redis.cluster.nodes}. */
    public static String addresses(List<Server> servers) {
        return servers.stream().map(Server::address).collect(Collectors.joining(","));
    }
}
