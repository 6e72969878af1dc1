package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The benchmark at smoke size, so CI proves the harness runs; its figures mean nothing at this size. */
class BenchmarkSmokeIT {

    @Test
    void everyScenarioProducesItsFigures() throws Exception {
        Benchmark benchmark = new Benchmark(Benchmark.Options.parse("smoke", "connections=4",
                "jar=" + Path.of(System.getProperty("sluice.jar"))));

        String report = benchmark.run();

        System.out.println(report);
        assertThat(benchmark.figures().values()).extracting(Benchmark.Figure::scenario).contains("1 drain",
                "2 HTTP submission", "3 pickup latency", "4 Redis cost", "5 footprint");
        assertThat(benchmark.figures().values()).allSatisfy(figure -> assertThat(figure.values())
                .isNotEmpty().allSatisfy(value -> assertThat(value).isFinite().isNotNegative()));
        assertThat(report).contains("| 1 drain |").contains("Redis ");
    }
}
