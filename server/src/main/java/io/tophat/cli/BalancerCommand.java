package io.tophat.cli;

import io.tophat.http.VertxRuntime;
import io.tophat.balancer.BalancerConfig;
import io.tophat.balancer.BalancerServer;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

@Command(name = "balancer", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the balancer: workers register with it, producers are assigned a worker, "
                + "consumers are redirected to the worker holding a producer.")
final class BalancerCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;


    @Option(names = "--port", defaultValue = "${env:TOPHAT_PORT:-" + BalancerConfig.DEFAULT_PORT + "}",
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}, env TOPHAT_PORT).")
    int port;

    @Option(names = "--host", defaultValue = "${env:TOPHAT_HOST:-" + BalancerConfig.DEFAULT_HOST + "}",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, env TOPHAT_HOST).")
    String host;

    @Option(names = "--data-dir", defaultValue = "${env:TOPHAT_DATA_DIR:-" + BalancerConfig.DEFAULT_DATA_DIR + "}",
            description = "Folder of the balancer's state file, kept across restarts "
                    + "(default: ${DEFAULT-VALUE}, env TOPHAT_DATA_DIR).")
    Path dataDir;

    @Option(names = "--strategy", defaultValue = "${env:TOPHAT_STRATEGY:-" + BalancerConfig.DEFAULT_STRATEGY + "}",
            converter = StrategyConverter.class,
            description = "How new producers are spread over workers: round-robin (the report's), least-loaded "
                    + "(lowest heartbeats/s, then fewest producers) or hash (rendezvous hashing with bounded load, "
                    + "so several balancers agree) (default: ${DEFAULT-VALUE}, env TOPHAT_STRATEGY).")
    BalancerConfig.Strategy strategy;

    @Option(names = "--hash-balance", defaultValue = "${env:TOPHAT_HASH_BALANCE:-" + BalancerConfig.DEFAULT_HASH_BALANCE_TEXT + "}",
            description = "With --strategy hash: no worker holds more than (1 + this) times the average "
                    + "(default: ${DEFAULT-VALUE}, env TOPHAT_HASH_BALANCE).")
    double hashBalance;

    @Option(names = "--lease-interval", defaultValue = "${env:TOPHAT_LEASE_INTERVAL:-" + BalancerConfig.DEFAULT_LEASE_INTERVAL + "}",
            converter = DurationConverter.class,
            description = "How often every worker renews its lease, told to each worker when it registers; three "
                    + "missed renewals mark a worker dead (default: ${DEFAULT-VALUE}, env TOPHAT_LEASE_INTERVAL).")
    Duration leaseInterval;

    @Option(names = "--recover",
            description = "Start with an empty state on purpose when the state file is missing, empty or corrupt "
                    + "(it is moved aside, never deleted); the workers' reports rebuild the assignments. Without it "
                    + "the balancer refuses to start on such a file.")
    boolean recover;

    @Option(names = "--osmand-port", paramLabel = "PORT", defaultValue = "${env:TOPHAT_OSMAND_PORT}",
            description = "Also listen on this port for OsmAnd senders such as Traccar Client (Traccar's own port is "
                    + "5055), answered at any path, since the app is configured with a bare host and port; "
                    + "/osmand on --port is always there (default: none, env TOPHAT_OSMAND_PORT).")
    Integer osmandPort;

    @picocli.CommandLine.Mixin
    StreamOptions streams = new StreamOptions();

    @picocli.CommandLine.Mixin
    StoreOptions store = new StoreOptions();

    @picocli.CommandLine.Mixin
    SecurityOptions security = new SecurityOptions();

    /** The configuration, or a usage error (exit 2) naming the flag to fix. */
    BalancerConfig config() {
        try {
            return build();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private BalancerConfig build() {
        return new BalancerConfig(host, port, dataDir, strategy, hashBalance, leaseInterval, recover, streams.limits(),
                store.target(), security.config(), osmandPort);
    }

    @Override
    public Integer call() throws Exception {
        BalancerConfig config = config();
        Lifecycle lifecycle = new Lifecycle();
        Vertx vertx = VertxRuntime.create();
        lifecycle.started("Vert.x runtime", () -> Await.result(vertx.close(), Duration.ofSeconds(10)));
        try {
            BalancerServer server = BalancerServer.open(vertx, config);
            lifecycle.started("balancer", () -> Await.result(server.stop(), Duration.ofSeconds(10)));
            int bound = Await.result(server.start(), Duration.ofSeconds(10));
            System.out.println("TopHat balancer on " + config.security().tls().scheme() + "://" + displayHost(host) + ":"
                    + bound);
            if (server.osmandPort() > 0) {
                System.out.println("OsmAnd senders (Traccar Client) on port " + server.osmandPort());
            }
        } catch (Exception e) {
            lifecycle.stopAll();
            throw e;
        }
        lifecycle.awaitShutdown();
        return 0;
    }

    static String displayHost(String host) {
        if ("0.0.0.0".equals(host)) {
            return "127.0.0.1";
        }
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** Reads {@code round-robin}, {@code least-loaded} or {@code hash}. */
    static final class StrategyConverter implements picocli.CommandLine.ITypeConverter<BalancerConfig.Strategy> {
        @Override
        public BalancerConfig.Strategy convert(String value) {
            try {
                return BalancerConfig.Strategy.named(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
