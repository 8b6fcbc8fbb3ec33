package io.tophat.cli;

import picocli.CommandLine.Option;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The options {@code producers} and {@code consumers} share (a picocli mixin). */
final class FleetOptions {

    @Option(names = "--balancer", paramLabel = "HOST:PORT", split = ",", defaultValue = "localhost:5000",
            converter = HostPortConverter.class,
            description = "The balancer's address; several, separated by commas, are tried in turn (default: ${DEFAULT-VALUE}).")
    List<URI> balancers;

    @Option(names = "--start-id", paramLabel = "ID", defaultValue = "3000",
            description = "The first producer's id; the others count up from it (default: ${DEFAULT-VALUE}).")
    long startId;

    @Option(names = "--count", paramLabel = "N", defaultValue = "20",
            description = "How many producers, counting up from the start id (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
            description = "How long to run; 0s runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--request-timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "How long to wait to connect and for each answer (default: ${DEFAULT-VALUE}).")
    Duration requestTimeout;

    @Option(names = "--report-every", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "How often to print a status line (default: ${DEFAULT-VALUE}).")
    Duration reportEvery;

    @picocli.CommandLine.Mixin

    CaOption trust = new CaOption();

    long lastId() {
        return startId + count - 1;
    }
}
