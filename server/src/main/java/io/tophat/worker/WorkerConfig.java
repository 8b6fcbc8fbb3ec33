package io.tophat.worker;

import io.tophat.config.Durations;
import io.tophat.store.SqliteStoreConfig;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Everything a worker process is configured with, built once from flags and environment: where it listens, how
 * it takes part in the cluster, how it ingests, and where it stores. Each default is written once, as the
 * constant the command line's options name; each part checks itself when built, with a message saying which
 * flag to fix.
 */
public record WorkerConfig(Listen listen, Membership membership, Ingest ingest, Storage storage,
                           io.tophat.stream.StreamLimits streams, io.tophat.security.SecurityConfig security) {

    public WorkerConfig {
        require(security != null, "security settings are needed");
    }

    /**
     * @param host          the address to listen on
     * @param port          the port to listen on (0 picks a free one)
     * @param advertiseHost the host the balancer should send producers and consumers to; null means the
     *                      address the registration came from
     */
    public record Listen(String host, int port, String advertiseHost) {
        public static final String DEFAULT_HOST = "0.0.0.0";
        public static final int DEFAULT_PORT = 6000;

        public Listen {
            require(port >= 0 && port <= 65535, "--port must be between 0 and 65535, not " + port);
        }
    }

    /**
     * How the worker takes part in the cluster. How often it renews its lease is each balancer's choice, told in
     * the lease.
     *
     * @param balancers             the balancers to register with (at least one)
     * @param drainTimeout          at shutdown, the longest the worker waits for its producers to move elsewhere
     * @param storeFailureThreshold how long the store may fail every write before the worker steps aside: it tells
     *                              the balancers, which give it no new producers, and sends its producers away
     */
    public record Membership(List<URI> balancers, Duration drainTimeout, Duration storeFailureThreshold) {
        public static final String DEFAULT_DRAIN_TIMEOUT = "10s";
        public static final String DEFAULT_STORE_FAILURE_THRESHOLD = "2s";

        public Membership {
            balancers = List.copyOf(balancers);
            require(!balancers.isEmpty(), "--balancer: give at least one balancer address, for example localhost:5000");
            require(!drainTimeout.isNegative(), "--drain-timeout must not be negative");
            require(!storeFailureThreshold.isNegative(), "--store-failure-threshold must not be negative");
        }
    }

    /**
     * @param ack           when a heartbeat is answered
     * @param cacheSize     how many producers' latest heartbeats are kept in memory
     * @param flushInterval with {@link AckMode#CACHED}: the longest a heartbeat waits before it is written
     * @param queueCapacity heartbeats that may wait for the writer; beyond this, ingest answers 503
     * @param maxBatch      the most heartbeats written in one transaction
     * @param maxBodyBytes  the largest heartbeat body accepted (413 beyond)
     * @param maxClockSkew  how far ahead of the worker's clock a heartbeat's {@code device_time} may be (422 beyond)
     */
    public record Ingest(AckMode ack, int cacheSize, Duration flushInterval, int queueCapacity, int maxBatch,
                         int maxBodyBytes, Duration maxClockSkew) {
        public static final String DEFAULT_ACK = "durable";
        public static final int DEFAULT_CACHE_SIZE = 100_000;
        public static final String DEFAULT_FLUSH_INTERVAL = "20s";
        public static final int DEFAULT_QUEUE_CAPACITY = 50_000;
        public static final int DEFAULT_MAX_BATCH = 10_000;
        public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
        public static final String DEFAULT_MAX_CLOCK_SKEW = "10m";

        public Ingest {
            require(cacheSize >= 2, "--cache-size must be at least 2, not " + cacheSize);
            require(queueCapacity >= 1, "--queue-capacity must be at least 1, not " + queueCapacity);
            require(maxBatch >= 1, "--max-batch must be at least 1, not " + maxBatch);
            require(maxBodyBytes >= 256, "--max-body must be at least 256 bytes, not " + maxBodyBytes);
            require(!flushInterval.isNegative() && !flushInterval.isZero(), "--flush-interval must be positive");
            require(ack != AckMode.CACHED || cacheSize <= queueCapacity,
                    "--cache-size must not exceed --queue-capacity with --ack cached");
            require(!maxClockSkew.isNegative(), "--max-clock-skew must not be negative");
        }

        public Ingest withCacheSize(int size) {
            return new Ingest(ack, size, flushInterval, queueCapacity, maxBatch, maxBodyBytes, maxClockSkew);
        }

        public Ingest withAck(AckMode mode, Duration interval) {
            return new Ingest(mode, cacheSize, interval, queueCapacity, maxBatch, maxBodyBytes, maxClockSkew);
        }

        /** The writer's limits, as {@code --queue-capacity} and {@code --max-batch}. */
        public Ingest withWriter(int capacity, int batch) {
            return new Ingest(ack, cacheSize, flushInterval, capacity, batch, maxBodyBytes, maxClockSkew);
        }
    }

    /**
     * @param store       which engine: SQLite (default) or a PostgreSQL database
     * @param dataDir     where the worker's SQLite files live
     * @param synchronous SQLite's durability setting (NORMAL survives a process crash, FULL also power loss)
     * @param retention   how long heartbeats are kept, by their time; null keeps them forever
     */
    public record Storage(io.tophat.store.StoreTarget store, Path dataDir, SqliteStoreConfig.Synchronous synchronous,
                          Duration retention) {
        public static final String DEFAULT_SYNC = "normal";

        public Storage {
            require(store != null, "a store is needed");
            require(retention == null || retention.toMillis() >= 1000, "--retention must be at least 1s");
        }
    }

    /** {@code durable} or {@code cached}. */
    public static AckMode ackMode(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "durable" -> AckMode.DURABLE;
            case "cached" -> AckMode.CACHED;
            default -> throw new IllegalArgumentException("'" + value + "' is not an ack mode; use durable or cached");
        };
    }

    /** {@code normal} or {@code full}. */
    public static SqliteStoreConfig.Synchronous synchronous(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "normal" -> SqliteStoreConfig.Synchronous.NORMAL;
            case "full" -> SqliteStoreConfig.Synchronous.FULL;
            default -> throw new IllegalArgumentException("'" + value + "' is not a sync mode; use normal or full");
        };
    }

    /**
     * The documented defaults for a worker embedded in another process (the local system, the bench, tests): it
     * listens on loopback only, on a free port.
     */
    public static WorkerConfig embedded(List<URI> balancers, Path dataDir) {
        return new WorkerConfig(new Listen("127.0.0.1", 0, null),
                new Membership(balancers, Durations.parse(Membership.DEFAULT_DRAIN_TIMEOUT),
                        Durations.parse(Membership.DEFAULT_STORE_FAILURE_THRESHOLD)),
                new Ingest(ackMode(Ingest.DEFAULT_ACK), Ingest.DEFAULT_CACHE_SIZE,
                        Durations.parse(Ingest.DEFAULT_FLUSH_INTERVAL), Ingest.DEFAULT_QUEUE_CAPACITY,
                        Ingest.DEFAULT_MAX_BATCH, Ingest.DEFAULT_MAX_BODY_BYTES,
                        Durations.parse(Ingest.DEFAULT_MAX_CLOCK_SKEW)),
                new Storage(io.tophat.store.StoreTarget.EMBEDDED, dataDir, synchronous(Storage.DEFAULT_SYNC), null), io.tophat.stream.StreamLimits.DEFAULT,
                io.tophat.security.SecurityConfig.OPEN);
    }

    public WorkerConfig withPort(int port) {
        return new WorkerConfig(new Listen(listen.host(), port, listen.advertiseHost()), membership, ingest, storage, streams, security);
    }

    public WorkerConfig withIngest(UnaryOperator<Ingest> change) {
        return new WorkerConfig(listen, membership, change.apply(ingest), storage, streams, security);
    }

    public WorkerConfig withDrainTimeout(Duration drain) {
        return new WorkerConfig(listen, new Membership(membership.balancers(), drain,
                membership.storeFailureThreshold()), ingest, storage, streams, security);
    }

    public WorkerConfig withSynchronous(SqliteStoreConfig.Synchronous sync) {
        return new WorkerConfig(listen, membership, ingest, new Storage(storage.store(), storage.dataDir(), sync, storage.retention()), streams, security);
    }

    public WorkerConfig withRetention(Duration retention) {
        return new WorkerConfig(listen, membership, ingest, new Storage(storage.store(), storage.dataDir(),
                storage.synchronous(), retention), streams, security);
    }

    public WorkerConfig withStore(io.tophat.store.StoreTarget store) {
        return new WorkerConfig(listen, membership, ingest, new Storage(store, storage.dataDir(), storage.synchronous(),
                storage.retention()), streams, security);
    }

    public WorkerConfig withStreams(io.tophat.stream.StreamLimits limits) {
        return new WorkerConfig(listen, membership, ingest, storage, limits, security);
    }

    public WorkerConfig withSecurity(io.tophat.security.SecurityConfig settings) {
        return new WorkerConfig(listen, membership, ingest, storage, streams, settings);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
