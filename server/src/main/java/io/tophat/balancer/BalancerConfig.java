package io.tophat.balancer;

import java.nio.file.Path;

/**
 * Everything a balancer process is configured with, built once from flags and environment.
 *
 * @param host    the address to listen on
 * @param port    the port to listen on (0 picks a free one)
 * @param dataDir where the balancer keeps its workers and assignments across restarts
 * @param strategy    how new producers are spread: round-robin, least-loaded or hash
 * @param hashBalance with the hash strategy: no worker holds more than (1 + hashBalance) times the average
 */
public record BalancerConfig(String host, int port, Path dataDir, String strategy, double hashBalance) {

    public static final String DEFAULT_STRATEGY = "round-robin";
    public static final double DEFAULT_HASH_BALANCE = 0.25;

    public BalancerConfig(String host, int port, Path dataDir) {
        this(host, port, dataDir, DEFAULT_STRATEGY, DEFAULT_HASH_BALANCE);
    }

    /** The strategy this configuration names. */
    public AssignmentStrategy assignmentStrategy() {
        return AssignmentStrategy.named(strategy, hashBalance);
    }

    public BalancerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, not " + port);
        }
        AssignmentStrategy.named(strategy, hashBalance);
    }

    public Path stateFile() {
        return dataDir.resolve("balancer.db");
    }
}
