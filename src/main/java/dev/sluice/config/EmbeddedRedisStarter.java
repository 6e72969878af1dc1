package dev.sluice.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.apache.commons.logging.Log;
import redis.embedded.RedisServer;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Starts an embedded {@code redis-server} before the application context exists, when the configured
 * Redis is on this machine and nothing answers there. This is what lets {@code ./mvnw spring-boot:run}
 * work on a machine with only a JDK. A remote Redis is never replaced: if it is silent, start-up fails
 * when the node registers (see the dispatcher).
 */
class EmbeddedRedisStarter implements EnvironmentPostProcessor {

    private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "::1", "[::1]");

    private final Log log;

    EmbeddedRedisStarter(DeferredLogFactory logFactory) {
        this.log = logFactory.getLog(EmbeddedRedisStarter.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        // The Binder applies the same relaxed rules as @ConfigurationProperties, so environment
        // variables such as SLUICE_EMBEDDEDREDIS_ENABLED are understood here too.
        Binder binder = Binder.get(env);
        if (!binder.bind("sluice.embedded-redis.enabled", Boolean.class).orElse(true)
                || binder.bind("spring.data.redis.sentinel.master", String.class).isBound()
                || binder.bind("spring.data.redis.cluster.nodes", Bindable.listOf(String.class)).isBound()) {
            return;
        }
        InetSocketAddress target = configuredAddress(binder);
        if (!LOCAL_HOSTS.contains(target.getHostString()) || answers(target)) {
            return;
        }
        Path dataDir = Path.of(binder.bind("sluice.embedded-redis.data-dir", String.class).orElse("data/redis"))
                .toAbsolutePath();
        RedisServer server = start(target.getPort(), dataDir);
        log.warn("No Redis answered at " + target.getHostString() + ":" + target.getPort()
                + "; started an embedded redis-server there (append-only file in " + dataDir
                + "). Set sluice.embedded-redis.enabled=false to require an external Redis.");
        // the two-command demo may call localhost with http jobs and callbacks (HttpTargets says so)
        env.getPropertySources().addLast(new org.springframework.core.env.MapPropertySource("sluiceEmbeddedRedis",
                java.util.Map.of("sluice.http.demo-localhost", "true")));
        // Registered as the first disposable bean, so it is destroyed last: after the dispatcher has
        // written its last outcomes and deregistered, and after every Redis connection is closed.
        application.addListeners((ApplicationListener<ApplicationPreparedEvent>) event ->
                ((DefaultListableBeanFactory) event.getApplicationContext().getBeanFactory())
                        .registerDisposableBean("sluiceEmbeddedRedis", () -> stop(server)));
    }

    static InetSocketAddress configuredAddress(Binder binder) {
        String url = binder.bind("spring.data.redis.url", String.class).orElse("");
        if (!url.isBlank()) {
            URI uri = URI.create(url);
            return InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort());
        }
        return InetSocketAddress.createUnresolved(
                binder.bind("spring.data.redis.host", String.class).orElse("localhost"),
                binder.bind("spring.data.redis.port", Integer.class).orElse(6379));
    }

    private static boolean answers(InetSocketAddress target) {
        String host = target.getHostString().equals("localhost") ? "127.0.0.1" : target.getHostString();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host.replace("[", "").replace("]", ""), target.getPort()), 500);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static RedisServer start(int port, Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            RedisServer server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("appendonly yes")
                    .setting("appendfsync everysec")
                    .setting("dir " + dataDir)
                    .onShutdownForceStop(true)
                    .build();
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded redis-server on port " + port, e);
        }
    }

    private static void stop(RedisServer server) {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not stop the embedded redis-server", e);
        }
    }
}
