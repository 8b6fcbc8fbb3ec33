package io.tophat.testing;

import io.tophat.embedded.EmbeddedCluster;
import io.tophat.security.AuthConfig;
import io.tophat.security.ConsumerKey;
import io.tophat.security.ProducerTokens;
import io.tophat.security.RateLimit;
import io.tophat.security.Secrets;
import io.tophat.security.SecurityConfig;
import io.tophat.worker.WorkerConfig;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * An embedded balancer and workers with every credential on: fresh random cluster and device secrets, producer
 * tokens derived from the device secret, and consumer keys issued through the balancer.
 */
public final class SecuredCluster implements AutoCloseable {
    private final Secrets cluster = Secrets.parse(Secrets.generate(), "test cluster secret");
    private final Secrets device = Secrets.parse(Secrets.generate(), "test device secret");
    private final ProducerTokens tokens = new ProducerTokens(device);
    private final EmbeddedCluster embedded;

    private SecuredCluster(Path dir, UnaryOperator<SecurityConfig> security, UnaryOperator<WorkerConfig> workers) {
        SecurityConfig settings = security.apply(SecurityConfig.OPEN.withAuth(AuthConfig.secured(cluster, device),
                RateLimit.producerDefault()));
        embedded = new EmbeddedCluster(dir, "127.0.0.1", workers).secured(settings);
    }

    /** Starts a balancer and {@code workers} workers, with the default producer rate limit. */
    public static SecuredCluster start(Path dir, int workers) {
        return start(dir, workers, UnaryOperator.identity());
    }

    /** As {@link #start(Path, int)}, with the security settings changed by {@code security} (TLS, rate). */
    public static SecuredCluster start(Path dir, int workers, UnaryOperator<SecurityConfig> security) {
        return start(dir, workers, security, UnaryOperator.identity());
    }

    /** As {@link #start(Path, int, UnaryOperator)}, with each worker's settings changed by {@code settings}. */
    public static SecuredCluster start(Path dir, int workers, UnaryOperator<SecurityConfig> security,
                                       UnaryOperator<WorkerConfig> settings) {
        SecuredCluster c = new SecuredCluster(dir, security, settings);
        c.embedded.start(0, workers);
        return c;
    }

    /** The device secret producer tokens are made from. */
    public String deviceSecret() {
        return device.current();
    }

    public URI balancer() {
        return embedded.balancerUri();
    }

    public EmbeddedCluster embedded() {
        return embedded;
    }

    /** The valid token of {@code producer}. */
    public String token(String producer) {
        return tokens.token(producer);
    }

    public String clusterSecret() {
        return cluster.current();
    }

    /** Issues a key through the balancer; workers hear of it within a lease interval. */
    public String issueKey(String name, List<String> producers, List<String> prefixes, List<String> ops) {
        return issueKey(name, producers, prefixes, ops, 0);
    }

    /** The same, with a rate limit of {@code rate} requests a second (0: none). */
    public String issueKey(String name, List<String> producers, List<String> prefixes, List<String> ops, double rate) {
        try {
            return embedded.balancer().balancer().issueKey(name, ConsumerKey.scope(producers, prefixes, ops, rate))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot issue key " + name, e);
        }
    }

    /** Revokes a key as an operator does, {@code DELETE /api/v1/keys/{name}} with the cluster secret. */
    public void revokeKey(String name) {
        int status = Http.send("DELETE", balancer() + "/api/v1/keys/" + name, null, clusterSecret()).statusCode();
        if (status != 204) {
            throw new IllegalStateException("revoking key " + name + " answered " + status);
        }
    }

    /** Long enough for a key change to reach every worker: two lease intervals of the embedded default. */
    public static Duration keyPropagation() {
        return Duration.ofSeconds(3);
    }

    @Override
    public void close() {
        embedded.close();
    }
}
