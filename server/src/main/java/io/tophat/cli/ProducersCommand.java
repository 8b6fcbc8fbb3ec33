package io.tophat.cli;

import io.tophat.simulator.ProducerFleet;
import io.tophat.simulator.ProducerFleetConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code tophat producers}: the report's {@code run_producers.sh}, a fleet of simulated phones. */
@Command(name = "producers", mixinStandardHelpOptions = true,
        description = {
                "Simulates phones, as the report's run_producers.sh: COUNT producers with ids from START-ID register "
                        + "with the balancer and each send a heartbeat (a position near St Andrews and a little sensor "
                        + "data) every INTERVAL, failing over to another worker when theirs stops answering.",
                "Prints progress every few seconds, and a summary at the end or on Ctrl-C."})
public final class ProducersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--balancer", paramLabel = "HOST:PORT", split = ",", defaultValue = "localhost:5000",
            converter = HostPortConverter.class,
            description = "The balancer's address; several, separated by commas, are tried in turn (default: ${DEFAULT-VALUE}).")
    List<URI> balancers;

    @Option(names = "--start-id", paramLabel = "ID", defaultValue = "3000",
            description = "The first producer's id; the others count up from it (default: ${DEFAULT-VALUE}).")
    long startId;

    @Option(names = "--count", paramLabel = "N", defaultValue = "20", description = "How many producers to run (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "How often each producer sends a heartbeat (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--max-retries", paramLabel = "N", defaultValue = "10",
            description = "How many failed attempts in a row a producer retries (with backoff) before it gives up and "
                    + "stops, as in the report; -1 retries forever, unsent heartbeats waiting in a bounded buffer "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxRetries;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
            description = "How long to run; 0s runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "How long to wait to connect and for each answer (default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--report-every", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "How often to print a status line (default: ${DEFAULT-VALUE}).")
    Duration reportEvery;

    @Override
    public Integer call() throws InterruptedException {
        ProducerFleetConfig config = config();
        PrintWriter out = spec.commandLine().getOut();
        ProducerFleet fleet = new ProducerFleet(config);
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.started("final summary", () -> print(out, "total: " + fleet.stats().oneLine()));
        print(out, String.format(Locale.ROOT, "starting %d producers (ids %d..%d) against %s, a heartbeat every %s each",
                count, startId, startId + count - 1, balancers, DurationConverter.format(interval)));
        fleet.start();
        lifecycle.started("producer fleet", fleet::close);
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(daemon("producers-status"));
        long start = System.nanoTime();
        reporter.scheduleAtFixedRate(() -> print(out, elapsed(start) + fleet.intervalStats().oneLine()),
                reportEvery.toMillis(), reportEvery.toMillis(), TimeUnit.MILLISECONDS);
        lifecycle.started("status line", reporter::shutdownNow);
        if (!duration.isZero()) {
            daemon("producers-duration").newThread(() -> {
                try {
                    fleet.awaitCompletion(duration.plusSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                lifecycle.stopAll();
            }).start();
        }
        lifecycle.awaitShutdown();
        if (fleet.stats().acknowledged() == 0) {
            spec.commandLine().getErr().println("no heartbeat was acknowledged; is the balancer at " + balancers
                    + " running, with workers registered?");
            return 1;
        }
        return 0;
    }

    private ProducerFleetConfig config() {
        if (reportEvery.isZero()) {
            throw new ParameterException(spec.commandLine(), "--report-every must be longer than 0s");
        }
        try {
            return new ProducerFleetConfig(balancers, startId, count, interval, maxRetries, requestTimeout, duration);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    static void print(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }

    static String elapsed(long startNanos) {
        return String.format(Locale.ROOT, "[%4ds] ", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos));
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
