package io.tophat.balancer;

import java.nio.file.Path;

/**
 * Everything a balancer process is configured with, built once from flags and environment.
 *
 * @param host    the address to listen on
 * @param port    the port to listen on (0 picks a free one)
 * @param dataDir where the balancer keeps its workers and assignments across restarts
 */
public record BalancerConfig(String host, int port, Path dataDir) {

    public BalancerConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, not " + port);
        }
    }

    public Path stateFile() {
        return dataDir.resolve("balancer.db");
    }
}
