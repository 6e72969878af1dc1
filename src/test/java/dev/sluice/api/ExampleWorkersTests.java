package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.test.context.TestPropertySource;

import dev.sluice.queue.RedisKeys;
import dev.sluice.support.IntegrationTest;

/**
 * The reference workers of examples/ (Python, stdlib only; Node, fetch only) as real processes against
 * the app over HTTP: they declare their type, drain a few hundred jobs, never run more than their slots
 * at once, and when one is killed with SIGKILL while it holds jobs, another finishes them.
 */
@TestPropertySource(properties = {"sluice.dispatch.lease=3s", "sluice.dispatch.heartbeat=1s",
        "sluice.dispatch.reaper-interval=500ms", "sluice.workers.pool-size=1"})
class ExampleWorkersTests extends IntegrationTest {

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killWorkers() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void pythonWorkersDrainTheirJobsWithinTheirSlotsAndFinishWhatAKilledOneHeld() throws Exception {
        Assumptions.assumeTrue(onPath("python3"), "python3 is not installed");
        Path log = dir.resolve("python.log");
        Process first = start(log, "python3", "examples/python/sluice_worker.py", "--type", "py-resize",
                "--slots", "4", "--worker-id", "py-1", "--wait", "5s");
        await().atMost(Duration.ofSeconds(20)).until(() -> redis.hasKey(keys.jobType("py-resize"))
                && redis.hasKey(keys.node(RedisKeys.remoteMember("py-1"))));

        List<String> quick = submit("py-resize", 200, 0.01);
        await().atMost(Duration.ofSeconds(60)).until(() -> allIn(quick, "succeeded"));

        // long jobs: the first worker holds 4, is killed with SIGKILL; a second worker finishes them
        List<String> slow = submit("py-resize", 6, 1.5);
        await().atMost(Duration.ofSeconds(20)).until(() -> count(slow, "running") == 4);
        first.destroyForcibly().waitFor();
        start(log, "python3", "examples/python/sluice_worker.py", "--type", "py-resize", "--slots", "2",
                "--worker-id", "py-2", "--wait", "5s", "--no-register");
        await().atMost(Duration.ofSeconds(60)).until(() -> allIn(slow, "succeeded"));

        for (String id : slow) {
            assertThat(api.job(id).get("result").get("by").asString()).isIn("py-1", "py-2");
        }
        assertThat(slow.stream().filter(id -> api.job(id).get("attempts").asInt() == 2).count())
                .as("the jobs the killed worker held ran again, attempt counted").isEqualTo(4);
        Map<String, Integer> peaks = peakConcurrency(log);
        assertThat(peaks.get("py-1")).isBetween(1, 4);
        assertThat(peaks.get("py-2")).isBetween(1, 2);
        assertThat(redis.hasKey(keys.node(RedisKeys.remoteMember("py-1")))).as("the killed worker was reaped").isFalse();
    }

    @Test
    void theNodeWorkerDrainsItsJobsAndStopsGracefully() throws Exception {
        Assumptions.assumeTrue(onPath("node"), "node is not installed");
        Path log = dir.resolve("node.log");
        Process worker = start(log, "node", "examples/node/sluice-worker.mjs", "--type", "node-resize", "--slots", "3",
                "--worker-id", "node-1", "--wait", "5s");
        await().atMost(Duration.ofSeconds(20)).until(() -> redis.hasKey(keys.jobType("node-resize")));

        List<String> ids = submit("node-resize", 150, 0.01);
        await().atMost(Duration.ofSeconds(60)).until(() -> allIn(ids, "succeeded"));
        assertThat(peakConcurrency(log).get("node-1")).isBetween(1, 3);

        // SIGTERM while it holds a long job: it hands the job back at once (after its grace) instead of
        // leaving it to the lease
        String held = submit("node-resize", 1, 30).get(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> api.state(held).equals("running"));
        worker.destroy();
        assertThat(worker.waitFor(40, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        JsonNode job = api.job(held);
        assertThat(job.get("state").asString()).isEqualTo("queued");
        assertThat(job.get("attempts").asInt()).as("a hand-back gives the attempt back").isZero();
    }

    private List<String> submit(String type, int n, double seconds) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(api.submit("{\"type\":\"" + type + "\",\"payload\":{\"url\":\"s3://img/" + i + ".png\",\"seconds\":"
                    + seconds + "}}"));
        }
        return ids;
    }

    private boolean allIn(List<String> ids, String state) {
        return count(ids, state) == ids.size();
    }

    private long count(List<String> ids, String state) {
        return ids.stream().filter(id -> state.equals(api.state(id))).count();
    }

    /** From the workers' start/end lines: the most jobs each ran at once. */
    private static Map<String, Integer> peakConcurrency(Path log) throws IOException {
        Map<String, Integer> now = new HashMap<>();
        Map<String, Integer> peak = new HashMap<>();
        for (String line : Files.readAllLines(log)) {
            String[] parts = line.split(" ");
            if (parts.length < 2) {
                continue;
            }
            int delta = parts[0].equals("start") ? 1 : parts[0].equals("end") ? -1 : 0;
            int running = now.merge(parts[1], delta, Integer::sum);
            peak.merge(parts[1], running, Math::max);
        }
        return peak;
    }

    private Process start(Path log, String... command) {
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(List.of("--url", "http://127.0.0.1:" + port, "--log", log.toString(), "--grace", "2"));
        try {
            Path output = Path.of("target", "example-workers", command[0] + "-" + System.nanoTime() + ".out");
            Files.createDirectories(output.getParent());
            Process process = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean onPath(String program) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(entry, program).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
