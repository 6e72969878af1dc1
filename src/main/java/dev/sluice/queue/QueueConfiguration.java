package dev.sluice.queue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.lettuce.core.ClientOptions;

import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

import dev.sluice.config.SluiceProperties;

@Configuration(proxyBeanMethods = false)
class QueueConfiguration {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(QueueConfiguration.class);

    @Bean
    Partitions partitions(SluiceProperties properties, RedisConnectionFactory connections) {
        return new Partitions(properties.namespace(), properties.partitions(),
                sharded(properties.redis().pubsub(), connections));
    }

    /**
     * Whether wake-ups and job events use sharded pub/sub: on a Redis Cluster of Redis 7 unless told
     * classic. A classic message is relayed to every node of the cluster; a sharded one stays on its
     * slot's shard. {@code auto} reads the masters' versions once at start-up (a Redis 6 cluster has no
     * SPUBLISH); when they cannot be read it assumes Redis 7 and says so.
     */
    static boolean sharded(String pubsub, RedisConnectionFactory connections) {
        boolean cluster = connections instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware();
        return sharded(pubsub, cluster, () -> lowestVersion(connections));
    }

    static boolean sharded(String pubsub, boolean cluster, java.util.function.Supplier<String> lowestVersion) {
        if ("sharded".equals(pubsub) && !cluster) {
            throw new IllegalStateException("sluice.redis.pubsub=sharded needs a Redis Cluster "
                    + "(spring.data.redis.cluster.nodes); use auto or classic");
        }
        if (!cluster || "classic".equals(pubsub)) {
            return false;
        }
        if ("sharded".equals(pubsub)) {
            return true;
        }
        String version;
        try {
            version = lowestVersion.get();
        } catch (RuntimeException e) {
            version = null;
        }
        if (version == null) {
            log.warn("Could not read the cluster's Redis version: using sharded pub/sub (Redis 7); "
                    + "set sluice.redis.pubsub=classic on a Redis 6 cluster");
            return true;
        }
        boolean seven = major(version) >= 7;
        if (!seven) {
            log.info("Redis {} on the cluster has no sharded pub/sub: using classic PUBLISH/SUBSCRIBE", version);
        }
        return seven;
    }

    /** The lowest redis_version INFO reports over the cluster's nodes; null when none answered. */
    private static String lowestVersion(RedisConnectionFactory connections) {
        try (var connection = connections.getConnection()) {
            java.util.Properties info = connection.serverCommands().info("server");
            if (info == null) {
                return null;
            }
            return info.stringPropertyNames().stream().filter(name -> name.endsWith("redis_version"))
                    .map(info::getProperty).min(java.util.Comparator.comparingInt(QueueConfiguration::major))
                    .orElse(null);
        }
    }

    private static int major(String version) {
        try {
            return Integer.parseInt(version.strip().split("\\.")[0]);
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** Partition 0's keys: namespace-wide reads and writes that are not about one job. */
    @Bean
    RedisKeys redisKeys(Partitions partitions) {
        return partitions.home();
    }

    /**
     * While Redis is away, fail commands at once instead of queueing them until the command timeout:
     * a producer gets its 503 immediately, and the dispatcher backs off and retries on its own.
     */
    @Bean
    LettuceClientOptionsBuilderCustomizer rejectWhileDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }

    /**
     * Resolves Redis's host name afresh on every (re)connect, keeping an answer at most 5 s. Lettuce's
     * default resolver keeps it as long as the DNS record says; a Redis container restarted with a
     * new address (compose, Kubernetes) was then never found again: the node stayed not ready for good
     * (seen in the container test, .ci/container-test.sh).
     */
    @Bean
    org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer freshDns() {
        return resources -> resources.addressResolverGroup(new io.netty.resolver.dns.DnsAddressResolverGroup(
                new io.netty.resolver.dns.DnsNameResolverBuilder()
                        .datagramChannelType(io.lettuce.core.resource.Transports.datagramChannelClass())
                        .socketChannelType(io.lettuce.core.resource.Transports.socketChannelClass()
                                .asSubclass(io.netty.channel.socket.SocketChannel.class))
                        .ttl(0, 5).negativeTtl(0)));
    }

    /** The subscription (listener container or sharded subscriber) is a bean so that Spring starts and stops it. */
    @Bean
    SmartLifecycle jobSignalsSubscription(JobSignals signals) {
        return signals.subscription();
    }

    /** Reads jobs once their wait ends, and sends event streams, off the pub/sub and timer threads. */
    @Bean(destroyMethod = "shutdown")
    ExecutorService sluiceWaitExecutor() {
        return Executors.newFixedThreadPool(4, new CustomizableThreadFactory("sluice-wait-"));
    }
}
