package io.tophat.cli;

import io.tophat.http.VertxRuntime;
import io.tophat.store.SqliteStoreConfig;
import io.tophat.worker.AckMode;
import io.tophat.store.HeartbeatStores;
import io.tophat.worker.WorkerConfig;
import io.tophat.worker.WorkerConfig.Ingest;
import io.tophat.worker.WorkerConfig.Listen;
import io.tophat.worker.WorkerConfig.Membership;
import io.tophat.worker.WorkerConfig.Storage;
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
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;


    @Option(names = "--port", defaultValue = "${env:TOPHAT_PORT:-" + Listen.DEFAULT_PORT + "}",
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}, env TOPHAT_PORT).")
    int port;

    @Option(names = "--balancer", required = true, split = ",", converter = HostPortConverter.class,
            defaultValue = "${env:TOPHAT_BALANCER}",
            description = "The balancer as HOST:PORT; several separated by commas (env TOPHAT_BALANCER).")
    List<URI> balancers;

    @Option(names = "--host", defaultValue = "${env:TOPHAT_HOST:-" + Listen.DEFAULT_HOST + "}",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, env TOPHAT_HOST).")
    String host;

    @Option(names = "--advertise-host", defaultValue = "${env:TOPHAT_ADVERTISE_HOST}",
            description = "Host the balancer sends producers and consumers to; by default the address the "
                    + "worker's registration came from (env TOPHAT_ADVERTISE_HOST).")
    String advertiseHost;

    @Option(names = "--data-dir", defaultValue = "${env:TOPHAT_DATA_DIR}",
            description = "Folder of the worker's SQLite file (default: tophat-data/worker-PORT, env TOPHAT_DATA_DIR).")
    Path dataDir;

    @Option(names = "--cache-size", defaultValue = "${env:TOPHAT_CACHE_SIZE:-" + Ingest.DEFAULT_CACHE_SIZE + "}",
            description = "Producers whose latest heartbeat is kept in memory; with --ack cached also the number "
                    + "of pending heartbeats that triggers a flush (the report used 100) "
                    + "(default: ${DEFAULT-VALUE}, env TOPHAT_CACHE_SIZE).")
    int cacheSize;

    @Option(names = "--flush-interval", converter = DurationConverter.class,
            defaultValue = "${env:TOPHAT_FLUSH_INTERVAL:-" + Ingest.DEFAULT_FLUSH_INTERVAL + "}",
            description = "With --ack cached: the longest a heartbeat waits before it is written "
                    + "(default: " + Ingest.DEFAULT_FLUSH_INTERVAL + ", env TOPHAT_FLUSH_INTERVAL).")
    Duration flushInterval;

    @Option(names = "--ack", defaultValue = "${env:TOPHAT_ACK:-" + Ingest.DEFAULT_ACK + "}", converter = AckModeConverter.class,
            description = "durable: answer after the heartbeat is committed (nothing acknowledged is lost); "
                    + "cached: the report's mode, answer at once and flush later (a crash loses up to one flush "
                    + "interval) (default: " + Ingest.DEFAULT_ACK + ", env TOPHAT_ACK).")
    AckMode ack;

    @Option(names = "--queue-capacity", defaultValue = "${env:TOPHAT_QUEUE_CAPACITY:-" + Ingest.DEFAULT_QUEUE_CAPACITY + "}",
            description = "Heartbeats that may wait for the writer; beyond this, heartbeats are answered 503 with "
                    + "Retry-After (default: ${DEFAULT-VALUE}, env TOPHAT_QUEUE_CAPACITY).")
    int queueCapacity;

    @Option(names = "--max-batch", defaultValue = "${env:TOPHAT_MAX_BATCH:-" + Ingest.DEFAULT_MAX_BATCH + "}",
            description = "Most heartbeats written in one transaction (default: ${DEFAULT-VALUE}, env TOPHAT_MAX_BATCH).")
    int maxBatch;

    @Option(names = "--max-body", defaultValue = "${env:TOPHAT_MAX_BODY:-" + Ingest.DEFAULT_MAX_BODY_BYTES + "}",
            description = "Largest heartbeat body in bytes; larger ones get 413 (default: ${DEFAULT-VALUE}, env TOPHAT_MAX_BODY).")
    int maxBody;

    @Option(names = "--max-clock-skew", converter = DurationConverter.class,
            defaultValue = "${env:TOPHAT_MAX_CLOCK_SKEW:-" + Ingest.DEFAULT_MAX_CLOCK_SKEW + "}",
            description = "How far ahead of the worker's clock a heartbeat's device_time may be; further ahead is "
                    + "refused with 422, so a phone with a wrong clock cannot freeze its latest (default: "
                    + Ingest.DEFAULT_MAX_CLOCK_SKEW + ", env TOPHAT_MAX_CLOCK_SKEW).")
    Duration maxClockSkew;

    @Option(names = "--store-failure-threshold", converter = DurationConverter.class,
            defaultValue = "${env:TOPHAT_STORE_FAILURE_THRESHOLD:-" + Membership.DEFAULT_STORE_FAILURE_THRESHOLD + "}",
            description = "How long the store may fail every write (a full disk, say) before the worker steps "
                    + "aside: the balancers give it no new producers and its producers move, until a write succeeds "
                    + "again (default: " + Membership.DEFAULT_STORE_FAILURE_THRESHOLD
                    + ", env TOPHAT_STORE_FAILURE_THRESHOLD).")
    Duration storeFailureThreshold;

    @Option(names = "--sync", defaultValue = "${env:TOPHAT_SYNC:-" + Storage.DEFAULT_SYNC + "}", converter = SynchronousConverter.class,
            description = "SQLite synchronous mode: normal survives a process crash, full also a power loss "
                    + "(slower) (default: " + Storage.DEFAULT_SYNC + ", env TOPHAT_SYNC).")
    SqliteStoreConfig.Synchronous synchronous;

    @Option(names = "--retention", converter = DurationConverter.class,
            defaultValue = "${env:TOPHAT_RETENTION}",
            description = "How long heartbeats are kept, by their time, for example 30d; a background job deletes "
                    + "older ones in small batches every minute (default: keep forever, env TOPHAT_RETENTION).")
    Duration retention;

    @Option(names = "--drain-timeout", converter = DurationConverter.class,
            defaultValue = "${env:TOPHAT_DRAIN_TIMEOUT:-" + Membership.DEFAULT_DRAIN_TIMEOUT + "}",
            description = "At shutdown (SIGTERM, Ctrl-C) or on a drain request, the longest the worker waits for "
                    + "its producers to move to other workers before it leaves (default: " + Membership.DEFAULT_DRAIN_TIMEOUT + ", env TOPHAT_DRAIN_TIMEOUT).")
    Duration drainTimeout;

    @picocli.CommandLine.Mixin
    StreamOptions streams = new StreamOptions();

    @picocli.CommandLine.Mixin
    StoreOptions store = new StoreOptions();

    @picocli.CommandLine.Mixin
    SecurityOptions security = new SecurityOptions();

    /** The configuration, or a usage error (exit 2) naming the flag to fix. */
    WorkerConfig config() {
        try {
            return build();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private WorkerConfig build() {
        Path dir = dataDir != null ? dataDir : Path.of("tophat-data", "worker-" + port);
        return new WorkerConfig(new Listen(host, port, advertiseHost),
                new Membership(balancers, drainTimeout, storeFailureThreshold),
                new Ingest(ack, cacheSize, flushInterval, queueCapacity, maxBatch, maxBody, maxClockSkew),
                new Storage(store.target(), dir, synchronous, retention), streams.limits(), security.config());
    }

    @Override
    public Integer call() throws Exception {
        WorkerConfig config = config();
        Lifecycle lifecycle = new Lifecycle();
        Vertx vertx = VertxRuntime.create();
        lifecycle.started("Vert.x runtime", () -> Await.result(vertx.close(), Duration.ofSeconds(10)));
        try {
            WorkerServer worker = new WorkerServer(vertx, config,
                    HeartbeatStores.open(config.storage().store(), config.storage().dataDir(), config.storage().synchronous()));
            lifecycle.started("worker", () -> Await.result(worker.stop(), config.membership().drainTimeout().plusSeconds(60)));
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
            try {
                return WorkerConfig.ackMode(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Reads {@code normal} or {@code full}. */
    static final class SynchronousConverter implements picocli.CommandLine.ITypeConverter<SqliteStoreConfig.Synchronous> {
        @Override
        public SqliteStoreConfig.Synchronous convert(String value) {
            try {
                return WorkerConfig.synchronous(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
