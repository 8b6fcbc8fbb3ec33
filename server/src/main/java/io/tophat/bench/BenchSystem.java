package io.tophat.bench;

import io.tophat.embedded.EmbeddedCluster;
import io.tophat.security.AuthConfig;
import io.tophat.security.ConsumerKey;
import io.tophat.security.ProducerTokens;
import io.tophat.security.RateLimit;
import io.tophat.security.Secrets;
import io.tophat.security.SecurityConfig;
import io.tophat.store.HeartbeatStore;
import io.tophat.worker.WorkerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * The system a scenario loads: an {@link EmbeddedCluster} started in this process (a balancer and N workers,
 * their files under a folder, SQLite unless told another store, the default durable ack), or servers already
 * running elsewhere.
 */
final class BenchSystem implements AutoCloseable {
    private final EmbeddedCluster cluster;
    private final Path folder;
    private final boolean deleteFolder;
    private final URI balancer;
    private final URI worker;
    private final String settings;
    private ProducerTokens tokens;
    private String consumerKey;

    private BenchSystem(EmbeddedCluster cluster, Path folder, boolean deleteFolder, URI balancer, URI worker,
                        String settings) {
        this.cluster = cluster;
        this.settings = settings;
        this.folder = folder;
        this.deleteFolder = deleteFolder;
        this.balancer = balancer;
        this.worker = worker;
    }

    /**
     * Starts a balancer and {@code workers} workers on free loopback ports, with their files in {@code dataDir}
     * (kept) or, when it is null, in a temporary folder removed by {@link #close}.
     */
    static BenchSystem embedded(Path dataDir, String name, int workers, UnaryOperator<WorkerConfig> settings,
                                String what, boolean credentials) {
        Path folder;
        boolean temporary = dataDir == null;
        try {
            folder = temporary ? Files.createTempDirectory("tophat-bench-") : Files.createDirectories(dataDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the bench's data folder: " + e.getMessage(), e);
        }
        EmbeddedCluster cluster = new EmbeddedCluster(folder, "127.0.0.1", settings);
        ProducerTokens tokens = null;
        String key = null;
        try {
            if (credentials) {
                Secrets device = Secrets.parse(Secrets.generate(), "the bench's device secret");
                tokens = new ProducerTokens(device);
                // the credentials' cost alone: no producer rate limit, a key without one
                cluster.secured(SecurityConfig.OPEN.withAuth(AuthConfig.secured(
                        Secrets.parse(Secrets.generate(), "the bench's cluster secret"), device), RateLimit.NONE));
                cluster.start(0, 0);
                key = cluster.balancer().balancer().issueKey("bench", ConsumerKey.scope(List.of(), List.of(),
                        List.of("read", "stream", "near", "export", "erase"), 0))
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                for (int i = 0; i < workers; i++) {
                    cluster.startWorker(i, 0);
                }
            } else {
                cluster.start(0, workers);
            }
        } catch (RuntimeException | InterruptedException | ExecutionException | TimeoutException e) {
            try {
                new BenchSystem(cluster, folder, temporary, null, null, what).close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot start the bench's system", e);
        }
        URI worker = URI.create("http://127.0.0.1:" + cluster.worker(0).port());
        BenchSystem system = new BenchSystem(cluster, folder, temporary, cluster.balancerUri(), worker,
                credentials ? what + ", every request with a credential" : what);
        system.tokens = tokens;
        system.consumerKey = key;
        return system;
    }

    /** Each producer's token from its id when the system checks credentials, else null. */
    java.util.function.LongFunction<String> producerTokens() {
        ProducerTokens t = tokens;
        return t == null ? null : id -> t.token(Long.toString(id));
    }

    /** The consumer key reads present when the system checks credentials, else null. */
    String consumerKey() {
        return consumerKey;
    }

    /** Servers that are already running; either may be null when the scenario does not need it. */
    static BenchSystem external(URI balancer, URI worker) {
        return new BenchSystem(null, null, false, balancer, worker, null);
    }

    boolean isEmbedded() {
        return cluster != null;
    }

    /** The balancer's base URI; fails with what to pass when there is none. */
    URI balancer(Scenario scenario) {
        if (balancer == null) {
            throw new IllegalArgumentException(scenario.label() + " loads a balancer: give --balancer HOST:PORT, "
                    + "or neither --balancer nor --worker to start an embedded system");
        }
        return balancer;
    }

    /** The loaded worker's base URI; fails with what to pass when there is none. */
    URI balancer() {
        return balancer;
    }

    URI worker(Scenario scenario) {
        if (worker == null) {
            throw new IllegalArgumentException(scenario.label() + " loads a worker: give --worker HOST:PORT, "
                    + "or neither --balancer nor --worker to start an embedded system");
        }
        return worker;
    }

    /** The first worker's store, when embedded (null otherwise). */
    /** The first embedded worker, or null for running servers. */
    io.tophat.worker.WorkerServer firstWorker() {
        return cluster == null ? null : cluster.worker(0);
    }

    HeartbeatStore firstStore() {
        return cluster == null ? null : cluster.worker(0).store();
    }

    int workerCount() {
        return cluster == null ? 0 : cluster.workerCount();
    }

    Path folder() {
        return folder;
    }

    /** A short description for the report. */
    String describe() {
        if (cluster == null) {
            return "running servers: " + (balancer == null ? "" : "balancer " + balancer + " ")
                    + (worker == null ? "" : "worker " + worker);
        }
        return "embedded: 1 balancer and " + cluster.workerCount() + " worker(s) in this process, files under "
                + folder + ", " + settings;
    }

    @Override
    public void close() {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } finally {
            deleteFolderIfTemporary();
        }
    }

    private void deleteFolderIfTemporary() {
        if (deleteFolder) {
            TemporaryFolders.delete(folder);
        }
    }
}
