package dev.sluice;

import java.util.Arrays;
import java.util.stream.Stream;

import org.springframework.boot.SpringApplication;

import dev.sluice.support.ProbeJobConfiguration;
import dev.sluice.support.TestRedis;

/**
 * Sluice for a local run on the Redis the tests pick ({@code SLUICE_TEST_REDIS_URL}, else a
 * Testcontainers Redis, else an embedded one), with the tests' {@code probe} job type registered. Run
 * it from the IDE, or with {@code ./mvnw spring-boot:test-run}.
 */
public final class TestSluiceApplication {

    private TestSluiceApplication() {
    }

    public static void main(String[] args) {
        String[] all = Stream.concat(Arrays.stream(args), Stream.of("--spring.data.redis.url=" + TestRedis.url(),
                "--sluice.embedded-redis.enabled=false")).toArray(String[]::new);
        SpringApplication.from(SluiceApplication::main).with(ProbeJobConfiguration.class).run(all);
    }
}
