package io.tophat.cli;

import io.tophat.http.VertxRuntime;
import io.tophat.store.SqliteStoreConfig;
import io.tophat.worker.AckMode;
import io.tophat.worker.WorkerConfig;
import io.tophat.worker.WorkerServer;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs a worker: registers with the balancer, receives heartbeats, caches the latest of "
                + "each producer, stores every heartbeat in SQLite and serves reads.")
final class WorkerCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "${env:TOPHAT_PORT:-6000}",
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}, env TOPHAT_PORT).")
    int port;

    @Option(names = "--balancer", required = true, split = ",", converter = HostPortConverter.class,
            defaultValue = "${env:TOPHAT_BALANCER}",
            description = "The balancer as HOST:PORT; several separated by commas (env TOPHAT_BALANCER).")
    List<URI> balancers;

    @Option(names = "--host", defaultValue = "${env:TOPHAT_HOST:-0.0.0.0}",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, env TOPHAT_HOST).")
    String host;

    @Option(names = "--advertise-host", defaultValue = "${env:TOPHAT_ADVERTISE_HOST}",
            description = "Host the balancer sends producers and consumers to; by default the address the "
                    + "worker's registration came from (env TOPHAT_ADVERTISE_HOST).")
    String advertiseHost;

    @Option(names = "--data-dir", defaultValue = "${env:TOPHAT_DATA_DIR}",
            description = "Folder of the worker's SQLite file (default: tophat-data/worker-PORT, env TOPHAT_DATA_DIR).")
    Path dataDir;

    @Option(names = "--cache-size", defaultValue = "${env:TOPHAT_CACHE_SIZE:-" + WorkerConfig.DEFAULT_CACHE_SIZE + "}",
            description = "Producers whose latest heartbeat is kept in memory; with --ack cached also the number "
                    + "of pending heartbeats that triggers a flush (the report used 100) "
                    + "(default: ${DEFAULT-VALUE}, env TOPHAT_CACHE_SIZE).")
    int cacheSize;

    @Option(names = "--flush-interval", converter = DurationConverter.class,
            defaultValue = "${env:TOPHAT_FLUSH_INTERVAL:-20s}",
            description = "With --ack cached: the longest a heartbeat waits before it is written "
                    + "(default: 20s, env TOPHAT_FLUSH_INTERVAL).")
    Duration flushInterval;

    @Option(names = "--ack", defaultValue = "${env:TOPHAT_ACK:-durable}", converter = AckModeConverter.class,
            description = "durable: answer after the heartbeat is committed (nothing acknowledged is lost); "
                    + "cached: the report's mode, answer at once and flush later (a crash loses up to one flush "
                    + "interval) (default: durable, env TOPHAT_ACK).")
    AckMode ack;

    @Option(names = "--queue-capacity", defaultValue = "${env:TOPHAT_QUEUE_CAPACITY:-" + WorkerConfig.DEFAULT_QUEUE_CAPACITY + "}",
            description = "Heartbeats that may wait for the writer; beyond this, heartbeats are answered 503 with "
                    + "Retry-After (default: ${DEFAULT-VALUE}, env TOPHAT_QUEUE_CAPACITY).")
    int queueCapacity;

    @Option(names = "--max-batch", defaultValue = "${env:TOPHAT_MAX_BATCH:-" + WorkerConfig.DEFAULT_MAX_BATCH + "}",
            description = "Most heartbeats written in one transaction (default: ${DEFAULT-VALUE}, env TOPHAT_MAX_BATCH).")
    int maxBatch;

    @Option(names = "--max-body", defaultValue = "${env:TOPHAT_MAX_BODY:-" + WorkerConfig.DEFAULT_MAX_BODY_BYTES + "}",
            description = "Largest heartbeat body in bytes; larger ones get 413 (default: ${DEFAULT-VALUE}, env TOPHAT_MAX_BODY).")
    int maxBody;

    @Option(names = "--lease-interval", converter = DurationConverter.class,
            defaultValue = "${env:TOPHAT_LEASE_INTERVAL:-1s}",
            description = "How often the worker renews its lease with the balancer; 3 missed renewals mark it "
                    + "dead (default: 1s, env TOPHAT_LEASE_INTERVAL).")
    Duration leaseInterval;

    @Option(names = "--sync", defaultValue = "${env:TOPHAT_SYNC:-normal}", converter = SynchronousConverter.class,
            description = "SQLite synchronous mode: normal survives a process crash, full also a power loss "
                    + "(slower) (default: normal, env TOPHAT_SYNC).")
    SqliteStoreConfig.Synchronous synchronous;

    @Option(names = "--drain-timeout", converter = DurationConverter.class,
            defaultValue = "${env:TOPHAT_DRAIN_TIMEOUT:-10s}",
            description = "At shutdown (SIGTERM, Ctrl-C) or on a drain request, the longest the worker waits for "
                    + "its producers to move to other workers before it leaves (default: 10s, env TOPHAT_DRAIN_TIMEOUT).")
    Duration drainTimeout;

    WorkerConfig config() {
        Path dir = dataDir != null ? dataDir : Path.of("tophat-data", "worker-" + port);
        return new WorkerConfig(host, port, advertiseHost, balancers, dir, cacheSize, flushInterval, ack,
                queueCapacity, maxBatch, maxBody, leaseInterval, synchronous, drainTimeout);
    }

    @Override
    public Integer call() throws Exception {
        WorkerConfig config = config();
        Lifecycle lifecycle = new Lifecycle();
        Vertx vertx = VertxRuntime.create();
        lifecycle.started("Vert.x runtime", () -> Await.result(vertx.close(), Duration.ofSeconds(10)));
        try {
            WorkerServer worker = WorkerServer.open(vertx, config);
            lifecycle.started("worker", () -> Await.result(worker.stop(), config.drainTimeout().plusSeconds(60)));
            worker.onDrainRequested(() -> new Thread(lifecycle::stopAll, "tophat-drain").start());
            int bound = Await.result(worker.start(), Duration.ofSeconds(30));
            System.out.println("TopHat worker on port " + bound + ", registered as " + worker.url());
        } catch (Exception e) {
            lifecycle.stopAll();
            throw e;
        }
        lifecycle.awaitShutdown();
        return 0;
    }

    /** Reads {@code durable} or {@code cached}. */
    static final class AckModeConverter implements picocli.CommandLine.ITypeConverter<AckMode> {
        @Override
        public AckMode convert(String value) {
            return switch (value.trim().toLowerCase()) {
                case "durable" -> AckMode.DURABLE;
                case "cached" -> AckMode.CACHED;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' is not an ack mode; use durable or cached");
            };
        }
    }

    /** Reads {@code normal} or {@code full}. */
    static final class SynchronousConverter implements picocli.CommandLine.ITypeConverter<SqliteStoreConfig.Synchronous> {
        @Override
        public SqliteStoreConfig.Synchronous convert(String value) {
            return switch (value.trim().toLowerCase()) {
                case "normal" -> SqliteStoreConfig.Synchronous.NORMAL;
                case "full" -> SqliteStoreConfig.Synchronous.FULL;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "'" + value + "' is not a sync mode; use normal or full");
            };
        }
    }
}
