package dev.sluice.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every Sluice setting, in one validated tree. Defaults live here and nowhere else; the README's
 * configuration table mirrors this record.
 *
 * @param namespace    key namespace; every Redis key is {@code {namespace}:...}, so two namespaces can
 *                     share a server and each stays in one Redis Cluster slot
 * @param nodeId       this node's id; blank means generated at start (host name, pid, random suffix)
 * @param workers      the fixed worker pool
 * @param dispatch     how the dispatcher claims, leases and heart-beats
 * @param jobs         how long job records are kept
 * @param retry        back-off between attempts
 * @param queues       capacity limits (backpressure)
 * @param idempotency  how long Idempotency-Keys are remembered
 * @param batches      how long batch records are kept
 * @param schedules    periodic jobs
 * @param orders       the order example's step durations
 * @param security     API keys
 * @param api          limits of the HTTP surface
 * @param embeddedRedis the embedded redis-server started when no local Redis answers
 * @param redis        what Sluice requires of the Redis server
 * @param http         the built-in http job type: where it may call, limits, credentials
 * @param callbacks    completion callbacks (signed webhooks)
 * @param limits       concurrency caps and rate limits per job type
 * @param durability   how many replicas must hold an accepted job before it is answered
 * @param partitions   how many partitions the namespace's queues are split into (1-64; 1, the default,
 *                     is one hash tag: one Redis Cluster slot). More spread one queue over several
 *                     masters; changing it on a namespace that holds jobs is not supported (drain first)
 */
@ConfigurationProperties("sluice")
@Validated
public record SluiceProperties(
        @DefaultValue("sluice") @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]+") String namespace,
        @DefaultValue("") @Pattern(regexp = "[A-Za-z0-9._-]*") String nodeId,
        @DefaultValue @Valid Workers workers,
        @DefaultValue @Valid Dispatch dispatch,
        @DefaultValue @Valid Jobs jobs,
        @DefaultValue @Valid Retry retry,
        @DefaultValue @Valid Queues queues,
        @DefaultValue @Valid Idempotency idempotency,
        @DefaultValue @Valid Batches batches,
        @DefaultValue List<@Valid Schedule> schedules,
        @DefaultValue @Valid Orders orders,
        @DefaultValue @Valid Security security,
        @DefaultValue @Valid Api api,
        @DefaultValue @Valid EmbeddedRedis embeddedRedis,
        @DefaultValue @Valid Redis redis,
        @DefaultValue @Valid Http http,
        @DefaultValue @Valid Callbacks callbacks,
        @DefaultValue @Valid Limits limits,
        @DefaultValue @Valid Durability durability,
        @DefaultValue("1") @Min(1) @Max(64) int partitions) {

    /**
     * Durable acceptance on a replicated Redis (Sentinel, Cluster): an enqueue is answered, and a
     * completion is reported, only once {@code replicas} replicas hold it (Redis {@code WAIT}).
     *
     * @param replicas how many replicas must acknowledge (0-5; 0, the default, waits for none)
     * @param timeout  how long to wait for them (10ms-10s); fewer in time: 503 not-replicated
     */
    public record Durability(
            @DefaultValue("0") @Min(0) @Max(5) int replicas,
            @DefaultValue("1s") @NotNull Duration timeout) {

        @AssertTrue(message = "timeout must be from 10ms to 10s")
        public boolean isTimeoutWithinBounds() {
            return timeout == null || timeout.toMillis() >= 10 && timeout.compareTo(Duration.ofSeconds(10)) <= 0;
        }
    }

    /**
     * Concurrency caps per job type, written to Redis at start-up (every node then obeys them; the
     * limits API changes them at run time, until the next start of a node that sets them here).
     *
     * @param types per type: {@code concurrency} (running at once, everywhere) and
     *              {@code per-key-concurrency} (per key), each 1-100,000 or absent; {@code rate} and
     *              {@code per-key-rate}: {@code limit} starts per {@code period}
     */
    public record Limits(@DefaultValue Map<String, @Valid TypeLimits> types) {

        public record TypeLimits(@Min(1) @Max(100_000) Integer concurrency,
                @Min(1) @Max(100_000) Integer perKeyConcurrency, @Valid Rate rate, @Valid Rate perKeyRate) {
        }

        /** At most {@code limit} (1-1,000,000) starts per {@code period} (1ms-1d). */
        public record Rate(@NotNull @Min(1) @Max(1_000_000) Integer limit, @NotNull Duration period) {

            @AssertTrue(message = "period must be from 1ms to 1d")
            public boolean isPeriodWithinBounds() {
                return period == null || !period.isNegative() && !period.isZero()
                        && period.compareTo(Duration.ofDays(1)) <= 0;
            }
        }
    }

    /**
     * The built-in {@code http} job type and the callbacks' deliveries.
     *
     * @param allowedTargets      where they may send requests: {@code [scheme://]host[:port]}, the host
     *                            exact or {@code *.example.com} (its subdomains); no scheme: http and
     *                            https; no port: any. Empty (the default): nowhere. A wildcard never
     *                            matches an IP address, and a host that resolves to a loopback, private
     *                            or link-local address needs an entry naming it exactly
     * @param maxResponseSize     how much of a response body is kept in the job's result (truncation is marked)
     * @param maxThrottledRetries how many 429/503 answers with Retry-After a job may get without using an attempt
     * @param secretHeaders       header names a payload may not carry (they would be stored and shown):
     *                            send credentials with {@code auth} instead
     * @param auth                named credentials ({@code header}, {@code value}) a payload names with
     *                            {@code "auth": "<name>"}; added when the request is sent, never stored
     * @param targets             per-target limits: {@code match} (an allowed-targets pattern),
     *                            {@code concurrency} (requests at once per node), {@code timeout}
     * @param defaultTimeout      a request's timeout when neither the payload nor its target sets one
     * @param demoLocalhost       set when the embedded Redis starts (the two-command demo): localhost is allowed
     */
    public record Http(
            @DefaultValue List<@NotBlank String> allowedTargets,
            @DefaultValue("256KB") @NotNull DataSize maxResponseSize,
            @DefaultValue("5") @Min(0) @Max(100) int maxThrottledRetries,
            @DefaultValue({"Authorization", "Proxy-Authorization", "Cookie", "X-API-Key"}) List<String> secretHeaders,
            @DefaultValue Map<String, @Valid Credential> auth,
            @DefaultValue Map<String, @Valid Target> targets,
            @DefaultValue("30s") @NotNull Duration defaultTimeout,
            @DefaultValue("false") boolean demoLocalhost) {

        @AssertTrue(message = "max-response-size must be from 1KB to 16MB and default-timeout from 1ms to 1h")
        public boolean isWithinBounds() {
            return maxResponseSize.toBytes() >= 1024 && maxResponseSize.toMegabytes() <= 16
                    && !defaultTimeout.isNegative() && !defaultTimeout.isZero()
                    && defaultTimeout.compareTo(Duration.ofHours(1)) <= 0;
        }

        public record Credential(@NotBlank String header, @NotBlank String value) {
        }

        public record Target(@NotBlank String match, @DefaultValue("8") @Min(1) @Max(1024) int concurrency,
                Duration timeout) {
        }
    }

    /**
     * @param secret      the signing secret of the Standard Webhooks signature ({@code whsec_<base64>}, or
     *                    any text, used as is); callbacks are refused while it is empty
     * @param priority    the callback jobs' priority
     * @param maxAttempts deliveries of one callback before it is dead
     * @param timeout     one delivery's timeout
     */
    public record Callbacks(
            @DefaultValue("") String secret,
            @DefaultValue("low") @Pattern(regexp = "high|normal|low") String priority,
            @DefaultValue("8") @Min(1) @Max(100) int maxAttempts,
            @DefaultValue("10s") @NotNull Duration timeout) {
    }

    /**
     * @param enabled  false makes an API-only node: it accepts and reports jobs but runs none
     * @param poolSize worker threads on this node, and so free-worker tokens in its Redis list
     */
    public record Workers(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("8") @Min(1) @Max(1024) int poolSize) {
    }

    /**
     * @param idlePoll  fallback poll when no wake-up message arrives (wake-up on enqueue is the norm)
     * @param lease     how long a claimed job belongs to this node without a heartbeat
     * @param heartbeat how often the node renews its registration and its jobs' leases
     * @param drainTimeout on shutdown, how long running jobs may finish before they are put back
     * @param reaperInterval how often some node (one per tick) looks for expired leases and dead nodes
     */
    public record Dispatch(
            @DefaultValue("1s") @NotNull Duration idlePoll,
            @DefaultValue("30s") @NotNull Duration lease,
            @DefaultValue("5s") @NotNull Duration heartbeat,
            @DefaultValue("10s") @NotNull Duration drainTimeout,
            @DefaultValue("5s") @NotNull Duration reaperInterval,
            @DefaultValue("strict") @Pattern(regexp = "strict|weighted", message = "must be strict or weighted")
            String priorities,
            @DefaultValue @Valid Weights weights) {

        /**
         * With {@code priorities: weighted}, each claimed job's priority is taken in turn by these
         * weights (1-100 each), falling back to the highest priority with jobs.
         */
        public record Weights(
                @DefaultValue("6") @Min(1) @Max(100) int high,
                @DefaultValue("3") @Min(1) @Max(100) int normal,
                @DefaultValue("1") @Min(1) @Max(100) int low) {
        }

        /** What claim.lua is given: empty for strict, else "high,normal,low" weights. */
        public String claimWeights() {
            return "weighted".equals(priorities) ? weights.high() + "," + weights.normal() + "," + weights.low() : "";
        }

        @AssertTrue(message = "heartbeat must be shorter than half the lease, or healthy nodes lose their jobs")
        public boolean isHeartbeatWellWithinLease() {
            return heartbeat.multipliedBy(2).compareTo(lease) < 0;
        }
    }

    /**
     * @param retention     how long a succeeded, failed or cancelled job's record stays readable
     * @param deadRetention how long a dead job stays in the dead-letter set
     * @param maxTimeout    the longest timeout a submission may ask for (one attempt holds a worker at
     *                      most this long); longer is refused with 400
     * @param maxDelay      the furthest ahead a job may be scheduled ({@code delay} or {@code runAt})
     * @param attemptHistory how many of a job's attempts that did not succeed its view keeps (1-100)
     */
    public record Jobs(
            @DefaultValue("24h") @NotNull Duration retention,
            @DefaultValue("30d") @NotNull Duration deadRetention,
            @DefaultValue("6h") @NotNull Duration maxTimeout,
            @DefaultValue("30d") @NotNull Duration maxDelay,
            @DefaultValue("10") @jakarta.validation.constraints.Min(1) @jakarta.validation.constraints.Max(100)
            int attemptHistory) {

        @AssertTrue(message = "max-timeout must be from 1s to 7d, and max-delay from 0s to 365d")
        public boolean isWithinBounds() {
            return maxTimeout.compareTo(Duration.ofSeconds(1)) >= 0 && maxTimeout.compareTo(Duration.ofDays(7)) <= 0
                    && !maxDelay.isNegative() && maxDelay.compareTo(Duration.ofDays(365)) <= 0;
        }
    }

    /**
     * Back-off between attempts: {@code backoff * 2^(attempt-1)}, capped at {@code maxBackoff}, each
     * spread by up to {@code jitter} either way so that jobs failing together do not retry together.
     */
    public record Retry(
            @DefaultValue("1s") @NotNull Duration backoff,
            @DefaultValue("10m") @NotNull Duration maxBackoff,
            @DefaultValue("0.2") @DecimalMin("0") @DecimalMax("1") double jitter) {
    }

    /**
     * Bounded queues: a submission that would push the waiting jobs over a limit is refused whole with
     * 429 and writes nothing. 0 means no limit.
     *
     * @param capacity    most jobs waiting in the three priority lists together
     * @param perPriority most jobs waiting in one priority's list
     */
    public record Queues(
            @DefaultValue("1000000") @Min(0) long capacity,
            @DefaultValue @Valid PerPriority perPriority) {

        public record PerPriority(
                @DefaultValue("0") @Min(0) long high,
                @DefaultValue("0") @Min(0) long normal,
                @DefaultValue("0") @Min(0) long low) {
        }
    }

    /** @param retention how long an Idempotency-Key is remembered */
    public record Idempotency(@DefaultValue("24h") @NotNull Duration retention) {
    }

    /**
     * A job submitted periodically. Every node evaluates the schedule; one of them enqueues each
     * period's job (the others find its idempotency key taken).
     *
     * @param name    unique; part of each firing's idempotency key
     * @param cron    Spring cron expression, six fields with seconds, e.g. {@code 0 0 * * * *} hourly
     * @param type    job type
     * @param payload the payload as JSON text
     */
    public record Schedule(
            @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]+") String name,
            @NotBlank String cron,
            @NotBlank String type,
            @DefaultValue("{}") String payload,
            @DefaultValue("normal") @Pattern(regexp = "high|normal|low") String priority) {
    }

    /**
     * API keys. With none configured the API is open (local development), unless
     * {@code requireKeys} is set, as the Docker image does: then start-up fails.
     *
     * @param requireKeys refuse to start without at least one API key
     * @param apiKeys     the accepted keys, stored as hashes
     */
    public record Security(
            @DefaultValue("false") boolean requireKeys,
            @DefaultValue List<@Valid ApiKey> apiKeys) {

        /**
         * @param name a label for logs and ownership (a producer reads the jobs submitted under its name)
         * @param hash {@code sha256:} followed by the hex SHA-256 of the key; an entry left without one
         *             (as compose leaves it when SLUICE_API_KEY_HASH is unset) fails start-up when keys
         *             are required and is ignored, with a warning, when they are not
         * @param role {@code producer} (submit, read its own), {@code worker} (claim, renew and finish
         *             jobs of its {@code types} over HTTP) or {@code admin} (everything)
         * @param types for a worker key: the remote job types it may claim (at most 100 names)
         */
        public record ApiKey(
                @NotBlank @Pattern(regexp = "[A-Za-z0-9._-]+") String name,
                @Pattern(regexp = "(sha256:[0-9a-fA-F]{64})?", message = "must be sha256: and 64 hex digits")
                String hash,
                @NotBlank @Pattern(regexp = "producer|worker|admin") String role,
                @DefaultValue @jakarta.validation.constraints.Size(max = 100) List<@Pattern(regexp = "[a-z0-9][a-z0-9._-]{0,63}") String> types) {

            @AssertTrue(message = "a worker key needs types (the remote job types it may claim); other roles take none")
            public boolean isTypesGivenForWorkersOnly() {
                return "worker".equals(role) ? !types.isEmpty() : types.isEmpty();
            }
        }
    }

    /**
     * The order example's simulated fulfilment.
     *
     * @param payment, picking, shipping, delivery how long each step takes
     * @param paymentFailures how many first payment attempts of every order fail (to show retries)
     * @param retention how long an order's record is kept
     * @param mailEndpoint when set, the shipping e-mail is also POSTed there as JSON (an http call under
     *                     sluice.http.allowed-targets; the outbox keeps it either way); empty: outbox only
     */
    public record Orders(
            @DefaultValue("200ms") @NotNull Duration payment,
            @DefaultValue("200ms") @NotNull Duration picking,
            @DefaultValue("300ms") @NotNull Duration shipping,
            @DefaultValue("500ms") @NotNull Duration delivery,
            @DefaultValue("0") @Min(0) int paymentFailures,
            @DefaultValue("30d") @NotNull Duration retention,
            @DefaultValue("") String mailEndpoint) {
    }

    /** @param retention how long a batch's record is kept after it was submitted */
    public record Batches(@DefaultValue("7d") @NotNull Duration retention) {
    }

    /**
     * @param maxWait     cap on {@code ?wait=} long-polls
     * @param maxBodySize largest request body accepted; larger ones get 413
     * @param maxBatchSize most jobs in one {@code POST /api/jobs/batch}
     * @param maxJsonDepth deepest nesting of objects and arrays in a request body
     * @param maxStringLength longest JSON string in a request body, in characters
     * @param bodyReadTimeout how long a request body may take to arrive whole; slower is 408
     * @param maxEventStreams most server-sent event streams open on this node at once; more are 429
     * @param maxBodiesInFlight how many bytes of request bodies and listed jobs this node holds at once,
     *                          until each request is answered; past it a request is 503 busy.
     *                          0 (the default): a sixteenth of the JVM's maximum heap. Otherwise from
     *                          max-body-size to 16GB
     */
    public record Api(
            @DefaultValue("60s") @NotNull Duration maxWait,
            @DefaultValue("1MB") @NotNull DataSize maxBodySize,
            @DefaultValue("1000") @Min(1) @Max(10000) int maxBatchSize,
            @DefaultValue("32") @Min(4) @Max(1000) int maxJsonDepth,
            @DefaultValue("262144") @Min(256) @Max(16777216) int maxStringLength,
            @DefaultValue("10s") @NotNull Duration bodyReadTimeout,
            @DefaultValue("256") @Min(1) @Max(100000) int maxEventStreams,
            @DefaultValue("0") @NotNull DataSize maxBodiesInFlight) {

        /** The budget in bytes: the setting, or a sixteenth of the maximum heap (at least max-body-size). */
        public long bodiesInFlightBytes() {
            long configured = maxBodiesInFlight.toBytes();
            return configured > 0 ? configured : Math.max(maxBodySize.toBytes(), Runtime.getRuntime().maxMemory() / 16);
        }

        @AssertTrue(message = "max-bodies-in-flight must be 0 (a sixteenth of the heap) or from max-body-size to 16GB")
        public boolean isBodiesInFlightWithinBounds() {
            long configured = maxBodiesInFlight == null ? 0 : maxBodiesInFlight.toBytes();
            return configured == 0 || configured >= maxBodySize.toBytes() && maxBodiesInFlight.toGigabytes() <= 16;
        }

        @AssertTrue(message = "max-wait must be from 1s to 10m, max-body-size from 1KB to 64MB, and "
                + "body-read-timeout from 100ms to 5m")
        public boolean isWithinBounds() {
            return maxWait.compareTo(Duration.ofSeconds(1)) >= 0 && maxWait.compareTo(Duration.ofMinutes(10)) <= 0
                    && maxBodySize.toBytes() >= 1024 && maxBodySize.toMegabytes() <= 64
                    && bodyReadTimeout.toMillis() >= 100 && bodyReadTimeout.compareTo(Duration.ofMinutes(5)) <= 0;
        }
    }

    /**
     * @param evictionPolicy what to do at start-up when Redis may evict keys (a maxmemory-policy other
     *                       than noeviction): {@code fail} (refuse to start) or {@code warn} (log an ERROR)
     * @param pubsub         how wake-ups and job events travel: {@code auto} (sharded pub/sub on a Redis
     *                       7 Cluster, by the versions its nodes report at start-up; classic otherwise), {@code classic} ({@code PUBLISH}/{@code SUBSCRIBE};
     *                       a Redis 6 cluster needs it) or {@code sharded} ({@code SPUBLISH}/{@code SSUBSCRIBE},
     *                       Redis 7 cluster only)
     */
    public record Redis(
            @DefaultValue("fail") @Pattern(regexp = "fail|warn", message = "must be fail or warn")
            String evictionPolicy,
            @DefaultValue("auto") @Pattern(regexp = "auto|classic|sharded", message = "must be auto, classic or sharded")
            String pubsub) {
    }

    /**
     * @param enabled start an embedded redis-server when the configured Redis is local and silent
     * @param dataDir where the embedded server keeps its append-only file
     */
    public record EmbeddedRedis(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("data/redis") @NotNull Path dataDir) {
    }
}
