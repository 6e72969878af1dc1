package dev.sluice.support;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import dev.sluice.SluiceApplication;
import dev.sluice.config.NodeId;
import dev.sluice.queue.RedisKeys;

/**
 * A whole Sluice node (web server, dispatcher, reaper) started inside the test JVM, so a test can run
 * several nodes on one Redis and stop them one at a time. Each has its own {@link ProbeJob}.
 */
public final class TestNode implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final ProbeJob probe;
    private final String id;
    private final int port;

    private TestNode(ConfigurableApplicationContext context) {
        this.context = context;
        this.probe = context.getBean(ProbeJob.class);
        this.id = context.getBean(NodeId.class).value();
        this.port = ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** @param settings extra {@code name=value} settings, e.g. {@code sluice.workers.pool-size=2} */
    public static TestNode start(String redisUrl, String namespace, String... settings) {
        List<String> all = new ArrayList<>(List.of("spring.data.redis.url=" + redisUrl));
        all.addAll(List.of(settings));
        return startConfigured(namespace, all.toArray(String[]::new));
    }

    /**
     * A node whose Redis the settings name (a cluster's {@code spring.data.redis.cluster.nodes}, a
     * Sentinel's {@code spring.data.redis.sentinel.*}).
     */
    public static TestNode startConfigured(String namespace, String... settings) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
                "--sluice.embedded-redis.enabled=false", "--sluice.namespace=" + namespace));
        for (String setting : settings) {
            args.add("--" + setting);
        }
        return new TestNode(new SpringApplicationBuilder(SluiceApplication.class, ProbeJobConfiguration.class)
                .run(args.toArray(String[]::new)));
    }

    public Api api() {
        return new Api(port);
    }

    public int port() {
        return port;
    }

    /** This node's probe handler; still readable after the node stopped. */
    public ProbeJob probe() {
        return probe;
    }

    public String id() {
        return id;
    }

    public RedisKeys keys() {
        return context.getBean(RedisKeys.class);
    }

    public io.micrometer.core.instrument.MeterRegistry meters() {
        return context.getBean(io.micrometer.core.instrument.MeterRegistry.class);
    }

    public StringRedisTemplate redis() {
        return context.getBean(StringRedisTemplate.class);
    }

    /** Stops the node the way SIGTERM does: drain, put back what is left, deregister. */
    @Override
    public void close() {
        if (context.isActive()) {
            context.close();
        }
    }
}
