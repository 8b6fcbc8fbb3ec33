package io.tophat.cli;

import io.tophat.simulator.ConsumerFleet;
import io.tophat.simulator.ConsumerFleetConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

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

    @Mixin
    FleetOptions fleet;

    @Option(names = "--consumers", paramLabel = "N", defaultValue = "1",
            description = "How many consumers ask at the same time (default: ${DEFAULT-VALUE}).")
    int consumers;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "100ms", converter = DurationConverter.class,
            description = "How often each consumer asks (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Override
    public Integer call() throws InterruptedException {
        ConsumerFleet consumerFleet = new ConsumerFleet(config());
        FleetRunner.run(spec.commandLine().getOut(), fleet, String.format(Locale.ROOT,
                "starting %d consumers asking %s for producers %d..%d, a request every %s each", consumers,
                fleet.balancers, fleet.startId, fleet.lastId(), DurationConverter.format(interval)),
                FleetRunner.of(consumerFleet::start, consumerFleet::awaitCompletion,
                        () -> consumerFleet.intervalSnapshot().oneLine(), consumerFleet::summary, consumerFleet::close));
        if (consumerFleet.totals().ok() == 0) {
            spec.commandLine().getErr().println("no request returned data; are producers " + fleet.startId + ".."
                    + fleet.lastId() + " sending to the balancer at " + fleet.balancers + "?");
            return 1;
        }
        return 0;
    }

    @Mixin
    KeyOptions key = new KeyOptions();

    private ConsumerFleetConfig config() {
        if (fleet.reportEvery.isZero()) {
            throw new ParameterException(spec.commandLine(), "--report-every must be longer than 0s");
        }
        try {
            return new ConsumerFleetConfig(fleet.balancers, fleet.startId, fleet.count, consumers, interval,
                    fleet.requestTimeout, fleet.duration).withKey(key.key()).withCa(fleet.trust.ca);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
