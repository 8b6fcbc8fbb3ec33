package io.tophat.cli;

import io.tophat.simulator.ProducerFleet;
import io.tophat.simulator.ProducerFleetConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

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

    @Mixin
    FleetOptions fleet;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "How often each producer sends a heartbeat (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--max-retries", paramLabel = "N", defaultValue = "10",
            description = "How many failed attempts in a row a producer retries (with backoff) before it gives up and "
                    + "stops, as in the report; -1 retries forever, unsent heartbeats waiting in a bounded buffer "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxRetries;

    @Override
    public Integer call() throws InterruptedException {
        ProducerFleet producers = new ProducerFleet(config());
        FleetRunner.run(spec.commandLine().getOut(), fleet, String.format(Locale.ROOT,
                "starting %d producers (ids %d..%d) against %s, a heartbeat every %s each", fleet.count, fleet.startId,
                fleet.lastId(), fleet.balancers, DurationConverter.format(interval)),
                FleetRunner.of(producers::start, producers::awaitCompletion, () -> producers.intervalStats().oneLine(),
                        () -> producers.stats().oneLine(), producers::close));
        if (producers.stats().acknowledged() == 0) {
            spec.commandLine().getErr().println("no heartbeat was acknowledged; is the balancer at " + fleet.balancers
                    + " running, with workers registered?");
            return 1;
        }
        return 0;
    }

    @picocli.CommandLine.Option(names = "--device-secret-file", paramLabel = "FILE",
            description = "The device secret the simulated phones' tokens are made from (as the servers' flag); "
                    + "else env " + SecurityOptions.DEVICE_SECRET_ENV + "; none for an open deployment.")
    java.nio.file.Path deviceSecretFile;

    private io.tophat.security.ProducerTokens tokens() {
        io.tophat.security.Secrets secrets = SecurityOptions.secrets(deviceSecretFile, "--device-secret-file",
                SecurityOptions.DEVICE_SECRET_ENV);
        return secrets == null ? null : new io.tophat.security.ProducerTokens(secrets);
    }

    private ProducerFleetConfig config() {
        if (fleet.reportEvery.isZero()) {
            throw new ParameterException(spec.commandLine(), "--report-every must be longer than 0s");
        }
        try {
            return new ProducerFleetConfig(fleet.balancers, fleet.startId, fleet.count, interval, maxRetries,
                    fleet.requestTimeout, fleet.duration).withTokens(tokens()).withCa(fleet.trust.ca);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
