package io.tophat.cli;

import io.tophat.balancer.Balancer;
import io.tophat.balancer.Member;
import io.tophat.client.ProducerConfig;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.simulator.ConsumerFleet;
import io.tophat.simulator.ConsumerFleetConfig;
import io.tophat.simulator.ConsumerFleetStats;
import io.tophat.simulator.ProducerFleet;
import io.tophat.simulator.ProducerFleetConfig;
import io.tophat.simulator.ProducerFleetStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

@Command(name = "local", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the whole system in one process: a balancer, workers, simulated producers and "
                + "consumers, on the embedded default (SQLite files) or, with --store jdbc:postgresql://..., on "
                + "PostgreSQL (the balancer's state and the heartbeats); prints a status line every few seconds. "
                + "Ctrl-C stops it cleanly.")
final class LocalCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "${env:TOPHAT_PORT:-5000}",
            description = "The balancer's port (default: ${DEFAULT-VALUE}, env TOPHAT_PORT).")
    int port;

    @Option(names = "--workers", defaultValue = "3", description = "Workers to start (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--worker-port", defaultValue = "6000",
            description = "Port of the first worker; the others follow; 0 for free ports (default: ${DEFAULT-VALUE}).")
    int workerPort;

    @Option(names = "--producers", defaultValue = "20", description = "Simulated producers (default: ${DEFAULT-VALUE}).")
    int producers;

    @Option(names = "--start-id", defaultValue = "3000", description = "Id of the first producer (default: ${DEFAULT-VALUE}).")
    long startId;

    @Option(names = "--consumers", defaultValue = "5", description = "Simulated consumers (default: ${DEFAULT-VALUE}).")
    int consumers;

    @Option(names = "--interval", converter = DurationConverter.class, defaultValue = "1s",
            description = "Time between two heartbeats of a producer (default: 1s).")
    Duration interval;

    @Option(names = "--consumer-interval", converter = DurationConverter.class, defaultValue = "100ms",
            description = "Time between two requests of a consumer (default: 100ms).")
    Duration consumerInterval;

    @Option(names = "--data-dir", defaultValue = "${env:TOPHAT_DATA_DIR:-tophat-data}",
            description = "Folder for the balancer's and workers' SQLite files and the local secrets (default: "
                    + "${DEFAULT-VALUE}, env TOPHAT_DATA_DIR); with --store jdbc:postgresql://... the balancer and the "
                    + "workers keep their data in that database instead.")
    Path dataDir;

    @Option(names = "--status-every", converter = DurationConverter.class, defaultValue = "5s",
            description = "Time between two status lines (default: 5s).")
    Duration statusEvery;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Stop by itself after this long (default: run until Ctrl-C).")
    Duration duration;

    @picocli.CommandLine.Mixin
    StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
        Lifecycle lifecycle = new Lifecycle();
        try {
            io.tophat.store.StoreTarget target = store.target();
            LocalSecrets secrets = LocalSecrets.in(dataDir.resolve("secrets"));
            io.tophat.security.SecurityConfig security = io.tophat.security.SecurityConfig.OPEN.withAuth(
                    io.tophat.security.AuthConfig.secured(secrets.cluster(), secrets.device()),
                    io.tophat.security.RateLimit.producerDefault());
            // the balancer stops with its workers: a stopping worker has nowhere to send its producers, no drain wait
            EmbeddedCluster cluster = new EmbeddedCluster(dataDir, "127.0.0.1",
                    c -> c.withStore(target).withDrainTimeout(Duration.ZERO))
                    .secured(security).balancerSettings(b -> b.withStore(target));
            lifecycle.started("cluster", cluster::close);
            cluster.start(port, 0);
            URI balancer = cluster.balancerUri();
            // the key first: the workers hear of it when they register, before any consumer asks
            String key = Await.result(cluster.balancer().balancer().issueKey("local",
                    io.tophat.security.ConsumerKey.scope(List.of(), List.of(), List.of(), 0)), Duration.ofSeconds(10));
            for (int i = 0; i < workers; i++) {
                cluster.startWorker(i, workerPort == 0 ? 0 : workerPort + i);
            }
            // the simulators' requests go to this process's own servers: the client library's connect timeout suits them
            Duration timeout = ProducerConfig.DEFAULT_CONNECT_TIMEOUT;
            ProducerFleet producerFleet = new ProducerFleet(new ProducerFleetConfig(List.of(balancer), startId,
                    producers, interval, ProducerConfig.DEFAULT_MAX_RETRIES, timeout, Duration.ZERO)
                    .withTokens(new io.tophat.security.ProducerTokens(secrets.device())));
            lifecycle.started("producers", producerFleet::close);
            producerFleet.start();
            ConsumerFleet consumerFleet = new ConsumerFleet(new ConsumerFleetConfig(List.of(balancer), startId,
                    producers, consumers, consumerInterval, timeout, Duration.ZERO).withKey(key));
            lifecycle.started("consumers", consumerFleet::close);
            consumerFleet.start();
            ScheduledExecutorService status = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tophat-status");
                t.setDaemon(true);
                return t;
            });
            lifecycle.started("status line", status::shutdownNow);
            status.scheduleAtFixedRate(() -> System.out.println(statusLine(cluster.balancer().balancer(),
                    producerFleet.intervalStats(), consumerFleet.intervalSnapshot())),
                    statusEvery.toMillis(), statusEvery.toMillis(), TimeUnit.MILLISECONDS);
            System.out.println("TopHat is running: balancer " + balancer + ", " + workers + " workers, "
                    + producers + " producers (ids " + startId + "-" + (startId + producers - 1) + "), "
                    + consumers + " consumers; data in " + dataDir.toAbsolutePath()
                    + (target.isSqlite() ? "" : ", the balancer's state and the heartbeats in " + target));
            System.out.println("A consumer key (read, stream, near; every producer): " + key);
            System.out.println("Read a producer's latest data:   curl -L '" + balancer + "/get_data/" + startId
                    + "?token=" + key + "'");
            System.out.println("Read its full record:            curl -L -H 'Authorization: Bearer " + key + "' "
                    + "--location-trusted " + balancer + "/api/v1/producers/" + startId);
            System.out.println("See the cluster:                 curl -H \"Authorization: Bearer $(head -1 "
                    + secrets.clusterFile() + ")\" " + balancer + "/api/v1/cluster");
            System.out.println("Secrets (made at the first start, kept): " + secrets.clusterFile() + ", "
                    + secrets.deviceFile());
            System.out.println("Press Ctrl-C to stop.");
        } catch (Exception e) {
            lifecycle.stopAll();
            throw e;
        }
        if (duration != null) {
            Thread stopper = new Thread(() -> {
                try {
                    Thread.sleep(duration.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                lifecycle.stopAll();
            }, "tophat-duration");
            stopper.setDaemon(true);
            stopper.start();
        }
        lifecycle.awaitShutdown();
        System.out.println("TopHat stopped.");
        return 0;
    }

    private static String statusLine(Balancer balancer, ProducerFleetStats producers, ConsumerFleetStats consumers) {
        long alive = balancer.membership().all().stream().filter(Member::alive).count();
        int known = balancer.membership().all().size();
        return String.format(Locale.ROOT,
                "workers %d/%d alive | producers %d | heartbeats %.1f/s | consumer requests %.1f/s, errors %d | p99 %.1f ms",
                alive, known, balancer.assignments().size(), producers.ratePerSecond(), consumers.ratePerSecond(),
                consumers.errorCount(), consumers.p99Millis());
    }
}
