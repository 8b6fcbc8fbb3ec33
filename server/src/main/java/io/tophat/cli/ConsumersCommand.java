package io.tophat.cli;

import io.tophat.simulator.ConsumerFleet;
import io.tophat.simulator.ConsumerFleetConfig;
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

/** {@code tophat consumers}: the report's {@code run_consumers.sh}, consumers asking for producers' data. */
@Command(name = "consumers", mixinStandardHelpOptions = true,
        description = {
                "Simulates consumers, as the report's run_consumers.sh: each asks the balancer for the latest data of "
                        + "the producers START-ID .. START-ID+COUNT-1 in turn (GET /get_data/{id}, following the "
                        + "redirect to the worker), one request every INTERVAL.",
                "Prints requests, errors and latency percentiles (p50/p90/p99) every few seconds, and for the whole "
                        + "run at the end or on Ctrl-C."})
public final class ConsumersCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--balancer", paramLabel = "HOST:PORT", split = ",", defaultValue = "localhost:5000",
            converter = HostPortConverter.class,
            description = "The balancer's address; several, separated by commas, are tried in turn (default: ${DEFAULT-VALUE}).")
    List<URI> balancers;

    @Option(names = "--start-id", paramLabel = "ID", defaultValue = "3000",
            description = "The first producer id to ask for (default: ${DEFAULT-VALUE}).")
    long startId;

    @Option(names = "--count", paramLabel = "N", defaultValue = "20",
            description = "How many producer ids to ask for, counting up from the start id (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--consumers", paramLabel = "N", defaultValue = "1",
            description = "How many consumers ask at the same time (default: ${DEFAULT-VALUE}).")
    int consumers;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "100ms", converter = DurationConverter.class,
            description = "How often each consumer asks (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
            description = "How long to run; 0s runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "How long to wait to connect and for each answer, per hop (default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--report-every", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "How often to print a status line (default: ${DEFAULT-VALUE}).")
    Duration reportEvery;

    @Override
    public Integer call() throws InterruptedException {
        ConsumerFleetConfig config = config();
        PrintWriter out = spec.commandLine().getOut();
        ConsumerFleet fleet = new ConsumerFleet(config);
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.started("final summary", () -> ProducersCommand.print(out, "total: " + fleet.summary()));
        ProducersCommand.print(out, String.format(Locale.ROOT,
                "starting %d consumers asking %s for producers %d..%d, a request every %s each",
                consumers, balancers, startId, startId + count - 1, DurationConverter.format(interval)));
        fleet.start();
        lifecycle.started("consumer fleet", fleet::close);
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(ProducersCommand.daemon("consumers-status"));
        long start = System.nanoTime();
        reporter.scheduleAtFixedRate(
                () -> ProducersCommand.print(out, ProducersCommand.elapsed(start) + fleet.intervalSnapshot().oneLine()),
                reportEvery.toMillis(), reportEvery.toMillis(), TimeUnit.MILLISECONDS);
        lifecycle.started("status line", reporter::shutdownNow);
        if (!duration.isZero()) {
            ProducersCommand.daemon("consumers-duration").newThread(() -> {
                try {
                    fleet.awaitCompletion(duration.plusSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                lifecycle.stopAll();
            }).start();
        }
        lifecycle.awaitShutdown();
        if (fleet.totals().ok() == 0) {
            spec.commandLine().getErr().println("no request returned data; are producers " + startId + ".."
                    + (startId + count - 1) + " sending to the balancer at " + balancers + "?");
            return 1;
        }
        return 0;
    }

    private ConsumerFleetConfig config() {
        if (reportEvery.isZero()) {
            throw new ParameterException(spec.commandLine(), "--report-every must be longer than 0s");
        }
        try {
            return new ConsumerFleetConfig(balancers, startId, count, consumers, interval, requestTimeout, duration);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
