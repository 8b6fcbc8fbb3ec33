package io.tophat.embedded;

import io.tophat.http.VertxRuntime;
import io.tophat.balancer.BalancerConfig;
import io.tophat.balancer.BalancerServer;
import io.tophat.store.HeartbeatStores;
import io.tophat.worker.WorkerConfig;
import io.tophat.worker.WorkerServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A balancer and its workers in one process, on the embedded default (SQLite files under one folder): what
 * {@code tophat local}, the bench and the tests run. Workers can be stopped and started again.
 */
public final class EmbeddedCluster implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Vertx vertx = VertxRuntime.create();
    private final Path dataDir;
    private final String host;
    private final UnaryOperator<WorkerConfig> workerSettings;
    private final List<WorkerServer> workers = new ArrayList<>();
    private io.tophat.security.SecurityConfig security = io.tophat.security.SecurityConfig.OPEN;
    private UnaryOperator<BalancerConfig> balancerSettings = UnaryOperator.identity();
    private BalancerServer balancer;
    private URI balancerUri;

    /**
     * @param dataDir        the folder holding {@code balancer/} and one {@code worker-N/} per worker
     * @param workerSettings adjusts each worker's default configuration (cache size, ack mode, ...)
     */
    public EmbeddedCluster(Path dataDir, String host, UnaryOperator<WorkerConfig> workerSettings) {
        this.dataDir = dataDir;
        this.host = host;
        this.workerSettings = workerSettings;
    }

    /** Secures the balancer and every worker with {@code settings} (before {@link #start}); open by default. */
    public EmbeddedCluster secured(io.tophat.security.SecurityConfig settings) {
        this.security = settings;
        return this;
    }

    /** Adjusts the balancer's default configuration (before {@link #start}). */
    public EmbeddedCluster balancerSettings(UnaryOperator<BalancerConfig> settings) {
        this.balancerSettings = settings;
        return this;
    }

    /** Starts the balancer on {@code balancerPort} (0 for any) and {@code workerCount} workers on free ports. */
    public EmbeddedCluster start(int balancerPort, int workerCount) {
        return start(balancerPort, workerCount, 0);
    }

    /**
     * Starts the balancer on {@code balancerPort} and {@code workerCount} workers on consecutive ports from
     * {@code firstWorkerPort} (0 for free ports).
     */
    public EmbeddedCluster start(int balancerPort, int workerCount, int firstWorkerPort) {
        BalancerConfig config = balancerSettings.apply(new BalancerConfig(host, balancerPort, dataDir.resolve("balancer"))
                .withSecurity(security));
        balancer = BalancerServer.open(vertx, config);
        int port = await(balancer.start());
        balancerUri = URI.create(security.tls().scheme() + "://" + host + ":" + port);
        for (int i = 0; i < workerCount; i++) {
            startWorker(i, firstWorkerPort == 0 ? 0 : firstWorkerPort + i);
        }
        return this;
    }

    /** Starts one more worker; returns its index. */
    public int startWorker() {
        int index = workers.size();
        return startWorker(index, 0);
    }

    /** Starts the worker with this index (again, on its old folder) on {@code port} (0 for any). */
    public int startWorker(int index, int port) {
        WorkerConfig config = workerSettings.apply(WorkerConfig.embedded(List.of(balancerUri),
                dataDir.resolve("worker-" + (index + 1))).withSecurity(security)).withPort(port);
        WorkerServer worker = new WorkerServer(vertx, config,
                HeartbeatStores.open(config.storage().store(), config.storage().dataDir(), config.storage().synchronous()));
        worker.onDrainRequested(() -> new Thread(() -> stopWorker(index), "tophat-drain-" + index).start());
        try {
            await(worker.start());
        } catch (RuntimeException e) {
            await(worker.stop());
            throw e;
        }
        if (index < workers.size()) {
            workers.set(index, worker);
        } else {
            workers.add(worker);
        }
        return index;
    }

    /** Stops a worker gracefully: it drains, leaves the balancer and writes what it holds. */
    public void stopWorker(int index) {
        await(stopping(index));
    }

    private synchronized Future<Void> stopping(int index) {
        WorkerServer worker = workers.get(index);
        if (worker == null) {
            return Future.succeededFuture();
        }
        workers.set(index, null);
        return worker.stop();
    }

    public URI balancerUri() {
        return balancerUri;
    }

    public BalancerServer balancer() {
        return balancer;
    }

    public WorkerServer worker(int index) {
        return workers.get(index);
    }

    public int workerCount() {
        return workers.size();
    }

    public Path dataDir() {
        return dataDir;
    }

    public Vertx vertx() {
        return vertx;
    }

    /** Stops the workers, then the balancer, then the runtime. */
    @Override
    public void close() {
        List<Future<Void>> stops = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            stops.add(stopping(i));
        }
        await(Future.join(stops));
        if (balancer != null) {
            await(balancer.stop());
        }
        await(vertx.close());
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("cluster operation did not finish in " + TIMEOUT, e);
        }
    }
}
