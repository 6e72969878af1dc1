package dev.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import dev.sluice.SluiceApplication;
import dev.sluice.support.Api;
import dev.sluice.support.TestRedis;

/** What {@code ./mvnw spring-boot:run} does on a machine where no Redis runs. */
class EmbeddedRedisDefaultTests {

    @TempDir
    Path data;

    @Test
    void withNoRedisAnsweringLocallyTheAppStartsItsOwnAndProcessesAJob() {
        int redisPort = TestRedis.freePort();
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(SluiceApplication.class).run(
                "--server.port=0", "--server.address=127.0.0.1",
                "--spring.data.redis.host=localhost", "--spring.data.redis.port=" + redisPort,
                "--sluice.embedded-redis.data-dir=" + data, "--sluice.namespace=test-" + UUID.randomUUID())) {
            assertThat(answers(redisPort)).isTrue();
            Api api = new Api(((WebServerApplicationContext) app).getWebServer().getPort());

            String id = api.submit("{\"type\":\"add\",\"payload\":{\"x\":2,\"y\":3}}");

            var done = api.get("/api/jobs/" + id + "?wait=10s").json();
            assertThat(done.get("state").asString()).isEqualTo("succeeded");
            assertThat(done.get("result").asInt()).isEqualTo(5);
            assertThat(Files.exists(data.resolve("appendonlydir")) || Files.exists(data.resolve("appendonly.aof")))
                    .as("append-only persistence in the data folder").isTrue();
        }
        assertThat(answers(redisPort)).as("the embedded server stops with the app").isFalse();
    }

    @Test
    void withTheEmbeddedServerTurnedOffASilentRedisFailsStartUpWithAClearMessage() {
        int redisPort = TestRedis.freePort();
        assertThatThrownBy(() -> new SpringApplicationBuilder(SluiceApplication.class).run(
                "--server.port=0", "--server.address=127.0.0.1",
                "--spring.data.redis.port=" + redisPort, "--sluice.embedded-redis.enabled=false",
                "--sluice.namespace=test-" + UUID.randomUUID()).close())
                .hasStackTraceContaining("could not register node")
                .hasStackTraceContaining("spring.data.redis");
        assertThat(answers(redisPort)).isFalse();
    }

    private static boolean answers(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
