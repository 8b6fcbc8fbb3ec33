package io.tophat.worker;

import io.tophat.store.SqliteStoreConfig;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything a worker process is configured with, built once from flags and environment.
 *
 * @param host           the address to listen on
 * @param port           the port to listen on (0 picks a free one)
 * @param advertiseHost  the host the balancer should send producers and consumers to; null means ask the
 *                       balancer to use the address the registration came from
 * @param balancers      the balancers to register with (at least one)
 * @param dataDir        where the worker's SQLite file lives
 * @param cacheSize      how many producers' latest heartbeats are kept in memory
 * @param flushInterval  with {@link AckMode#CACHED}: the longest a heartbeat waits before it is written
 * @param ack            when a heartbeat is answered
 * @param queueCapacity  heartbeats that may wait for the writer; beyond this, ingest answers 503
 * @param maxBatch       the most heartbeats written in one transaction
 * @param maxBodyBytes   the largest heartbeat body accepted (413 beyond)
 * @param leaseInterval  how often the worker renews its lease with the balancer
 * @param synchronous    SQLite's durability setting (NORMAL survives a process crash, FULL also power loss)
 * @param drainTimeout   at shutdown, the longest the worker waits for its producers to move elsewhere
 */
public record WorkerConfig(String host, int port, String advertiseHost, List<URI> balancers, Path dataDir,
                           int cacheSize, Duration flushInterval, AckMode ack, int queueCapacity, int maxBatch,
                           int maxBodyBytes, Duration leaseInterval, SqliteStoreConfig.Synchronous synchronous,
                           Duration drainTimeout) {

    public static final int DEFAULT_CACHE_SIZE = 100_000;
    public static final int DEFAULT_QUEUE_CAPACITY = 50_000;
    public static final int DEFAULT_MAX_BATCH = 10_000;
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    public WorkerConfig {
        balancers = List.copyOf(balancers);
        require(!balancers.isEmpty(), "--balancer: give at least one balancer address, for example localhost:5000");
        require(port >= 0 && port <= 65535, "--port must be between 0 and 65535, not " + port);
        require(cacheSize >= 2, "--cache-size must be at least 2, not " + cacheSize);
        require(queueCapacity >= 1, "--queue-capacity must be at least 1, not " + queueCapacity);
        require(maxBatch >= 1, "--max-batch must be at least 1, not " + maxBatch);
        require(maxBodyBytes >= 256, "--max-body must be at least 256 bytes, not " + maxBodyBytes);
        require(!flushInterval.isNegative() && !flushInterval.isZero(), "--flush-interval must be positive");
        require(leaseInterval.toMillis() >= 50, "--lease-interval must be at least 50ms");
        require(!drainTimeout.isNegative(), "--drain-timeout must not be negative");
        require(ack != AckMode.CACHED || cacheSize <= queueCapacity,
                "--cache-size must not exceed --queue-capacity with --ack cached");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** A configuration with the documented defaults, for embedding and tests. */
    public static WorkerConfig defaults(List<URI> balancers, Path dataDir) {
        return new WorkerConfig("127.0.0.1", 0, null, balancers, dataDir, DEFAULT_CACHE_SIZE, Duration.ofSeconds(20),
                AckMode.DURABLE, DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_BATCH, DEFAULT_MAX_BODY_BYTES,
                Duration.ofSeconds(1), SqliteStoreConfig.Synchronous.NORMAL, Duration.ofSeconds(10));
    }

    public WorkerConfig withCacheSize(int size) {
        return new WorkerConfig(host, port, advertiseHost, balancers, dataDir, size, flushInterval, ack,
                queueCapacity, maxBatch, maxBodyBytes, leaseInterval, synchronous, drainTimeout);
    }

    public WorkerConfig withAck(AckMode mode, Duration interval) {
        return new WorkerConfig(host, port, advertiseHost, balancers, dataDir, cacheSize, interval, mode,
                queueCapacity, maxBatch, maxBodyBytes, leaseInterval, synchronous, drainTimeout);
    }

    public WorkerConfig withLeaseInterval(Duration interval, Duration drain) {
        return new WorkerConfig(host, port, advertiseHost, balancers, dataDir, cacheSize, flushInterval, ack,
                queueCapacity, maxBatch, maxBodyBytes, interval, synchronous, drain);
    }

    /** The writer's limits and SQLite's durability, as {@code --queue-capacity}, {@code --max-batch} and {@code --sync}. */
    public WorkerConfig withWriter(int capacity, int batch, SqliteStoreConfig.Synchronous sync) {
        return new WorkerConfig(host, port, advertiseHost, balancers, dataDir, cacheSize, flushInterval, ack,
                capacity, batch, maxBodyBytes, leaseInterval, sync, drainTimeout);
    }

    public WorkerConfig withPort(int newPort) {
        return new WorkerConfig(host, newPort, advertiseHost, balancers, dataDir, cacheSize, flushInterval, ack,
                queueCapacity, maxBatch, maxBodyBytes, leaseInterval, synchronous, drainTimeout);
    }

    public Path storeFile() {
        return dataDir.resolve("heartbeats.db");
    }
}
