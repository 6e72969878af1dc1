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

    @Bean
    Partitions partitions(SluiceProperties properties, RedisConnectionFactory connections) {
        return new Partitions(properties.namespace(), properties.partitions(),
                sharded(properties.redis().pubsub(), connections));
    }

    /**
     * Whether wake-ups and job events use sharded pub/sub: on a Redis Cluster unless told classic. A
     * classic message is relayed to every node of the cluster; a sharded one stays on its slot's shard.
     */
    static boolean sharded(String pubsub, RedisConnectionFactory connections) {
        boolean cluster = connections instanceof LettuceConnectionFactory lettuce && lettuce.isClusterAware();
        if ("sharded".equals(pubsub) && !cluster) {
            throw new IllegalStateException("sluice.redis.pubsub=sharded needs a Redis Cluster "
                    + "(spring.data.redis.cluster.nodes); use auto or classic");
        }
        return cluster && !"classic".equals(pubsub);
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
