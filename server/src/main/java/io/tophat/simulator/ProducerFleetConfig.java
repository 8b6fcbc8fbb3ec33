package io.tophat.simulator;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link ProducerFleet} runs.
 *
 * @param balancers      balancer base addresses, tried in turn
 * @param startId        the first producer's id; the others follow it
 * @param count          how many producers
 * @param interval       how often each producer sends a heartbeat
 * @param maxRetries     failed attempts in a row a producer retries before it gives up and stops, -1 for no limit
 * @param requestTimeout how long each request may take
 * @param duration       how long the fleet runs, {@link Duration#ZERO} for until it is closed
 * @param tokens         each producer's token from its id (a device secret's), or null for an open deployment
 * @param ca             a PEM file of the certificate authorities trusted for HTTPS, or null for the JVM's
 */
public record ProducerFleetConfig(List<URI> balancers, long startId, int count, Duration interval, int maxRetries,
                                  Duration requestTimeout, Duration duration, io.tophat.security.ProducerTokens tokens,
                                  Path ca) {
    public static final int MAX_COUNT = 100_000;

    public ProducerFleetConfig(List<URI> balancers, long startId, int count, Duration interval, int maxRetries,
                               Duration requestTimeout, Duration duration) {
        this(balancers, startId, count, interval, maxRetries, requestTimeout, duration, null, null);
    }

    public ProducerFleetConfig withTokens(io.tophat.security.ProducerTokens signer) {
        return new ProducerFleetConfig(balancers, startId, count, interval, maxRetries, requestTimeout, duration, signer,
                ca);
    }

    public ProducerFleetConfig withCa(Path pemFile) {
        return new ProducerFleetConfig(balancers, startId, count, interval, maxRetries, requestTimeout, duration, tokens,
                pemFile);
    }

    public ProducerFleetConfig {
        balancers = List.copyOf(balancers);
        FleetChecks.require(!balancers.isEmpty(), "at least one balancer address is needed");
        FleetChecks.require(startId >= 0, "the start id must not be negative (was " + startId + ")");
        FleetChecks.require(count >= 1 && count <= MAX_COUNT, "the count must be between 1 and " + MAX_COUNT + " (was " + count + ")");
        FleetChecks.require(startId <= Long.MAX_VALUE - count, "the start id is too large for " + count + " producers");
        FleetChecks.requirePositive("the interval", interval);
        FleetChecks.require(maxRetries >= -1, "max retries must be at least 0, or -1 for no limit (was " + maxRetries + ")");
        FleetChecks.requirePositive("the request timeout", requestTimeout);
        FleetChecks.require(duration != null && !duration.isNegative(), "the duration must not be negative");
    }

    String producerId(int index) {
        return Long.toString(startId + index);
    }
}
