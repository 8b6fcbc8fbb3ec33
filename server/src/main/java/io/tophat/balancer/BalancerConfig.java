package io.tophat.balancer;

import io.tophat.config.Durations;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything a balancer process is configured with, built once from flags and environment.
 *
 * @param host    the address to listen on
 * @param port    the port to listen on (0 picks a free one)
 * @param dataDir where the balancer keeps its workers and assignments across restarts
 * @param strategy      how new producers are spread: round-robin, least-loaded or hash
 * @param hashBalance   with the hash strategy: no worker holds more than (1 + hashBalance) times the average
 * @param leaseInterval how often every worker renews its lease; three missed renewals mark it dead
 * @param recover       start with an empty state on purpose when the state file is missing, empty or corrupt
 * @param streams       the bounds of every stream subscription
 * @param store         where the state is kept: a file in {@code dataDir} (sqlite), or a PostgreSQL database that
 *                      several balancers share
 * @param security      who may call it and how often a producer may
 * @param osmandPort    a port of its own for OsmAnd senders (Traccar Client), answered at any path; 0 picks a
 *                      free one, null for none ({@code /osmand} on the main port is always there)
 */
public record BalancerConfig(String host, int port, Path dataDir, Strategy strategy, double hashBalance,
                             Duration leaseInterval, boolean recover, io.tophat.stream.StreamLimits streams,
                             io.tophat.store.StoreTarget store, io.tophat.security.SecurityConfig security,
                             Integer osmandPort) {

    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 5000;
    public static final String DEFAULT_DATA_DIR = "tophat-data/balancer";
    public static final String DEFAULT_STRATEGY = "round-robin";
    /** As text for the command line; {@link #DEFAULT_HASH_BALANCE} is its value. */
    public static final String DEFAULT_HASH_BALANCE_TEXT = "0.25";
    public static final double DEFAULT_HASH_BALANCE = Double.parseDouble(DEFAULT_HASH_BALANCE_TEXT);
    public static final String DEFAULT_LEASE_INTERVAL = "1s";

    /** How new producers are spread over workers. */
    public enum Strategy {
        ROUND_ROBIN("round-robin"), LEAST_LOADED("least-loaded"), HASH("hash");

        private final String flag;

        Strategy(String flag) {
            this.flag = flag;
        }

        /** The strategy as {@code --strategy} writes it. */
        public String flag() {
            return flag;
        }

        /** @throws IllegalArgumentException naming the strategies there are */
        public static Strategy named(String name) {
            for (Strategy s : values()) {
                if (s.flag.equals(name.trim())) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown strategy '" + name + "'; use round-robin, least-loaded or hash");
        }
    }

    /** A balancer with the default strategy and lease, for embedding and tests. */
    public BalancerConfig(String host, int port, Path dataDir) {
        this(host, port, dataDir, Strategy.named(DEFAULT_STRATEGY), DEFAULT_HASH_BALANCE,
                Durations.parse(DEFAULT_LEASE_INTERVAL), false, io.tophat.stream.StreamLimits.DEFAULT,
                io.tophat.store.StoreTarget.EMBEDDED, io.tophat.security.SecurityConfig.OPEN, null);
    }

    public BalancerConfig withLeaseInterval(Duration interval) {
        return new BalancerConfig(host, port, dataDir, strategy, hashBalance, interval, recover, streams, store, security, osmandPort);
    }

    public BalancerConfig withStreams(io.tophat.stream.StreamLimits limits) {
        return new BalancerConfig(host, port, dataDir, strategy, hashBalance, leaseInterval, recover, limits, store, security, osmandPort);
    }

    public BalancerConfig withStore(io.tophat.store.StoreTarget target) {
        return new BalancerConfig(host, port, dataDir, strategy, hashBalance, leaseInterval, recover, streams, target, security, osmandPort);
    }

    public BalancerConfig withSecurity(io.tophat.security.SecurityConfig settings) {
        return new BalancerConfig(host, port, dataDir, strategy, hashBalance, leaseInterval, recover, streams, store,
                settings, osmandPort);
    }

    /** The same, with an OsmAnd port of its own ({@code --osmand-port}; 0 for a free one). */
    public BalancerConfig withOsmandPort(Integer osmand) {
        return new BalancerConfig(host, port, dataDir, strategy, hashBalance, leaseInterval, recover, streams, store,
                security, osmand);
    }

    public BalancerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, not " + port);
        }
        if (osmandPort != null && (osmandPort < 0 || osmandPort > 65535)) {
            throw new IllegalArgumentException("--osmand-port must be between 0 and 65535, not " + osmandPort);
        }
        if (!(hashBalance > 0)) {
            throw new IllegalArgumentException("--hash-balance must be above 0, not " + hashBalance);
        }
        if (store == null || security == null) {
            throw new IllegalArgumentException("a store and security settings are needed");
        }
        if (leaseInterval.toMillis() < 50) {
            throw new IllegalArgumentException("--lease-interval must be at least 50ms");
        }
    }

    /** The strategy this configuration names. */
    public AssignmentStrategy assignmentStrategy() {
        return switch (strategy) {
            case ROUND_ROBIN -> new RoundRobin();
            case LEAST_LOADED -> new LeastLoaded();
            case HASH -> new RendezvousHash(hashBalance);
        };
    }

    public Path stateFile() {
        return dataDir.resolve("balancer.db");
    }

    /** Where the state is, for log lines. */
    public String stateDescription() {
        return store.isSqlite() ? stateFile().toString() : store.toString();
    }
}
