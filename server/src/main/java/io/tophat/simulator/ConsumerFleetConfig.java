package io.tophat.simulator;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link ConsumerFleet} runs.
 *
 * @param balancers      balancer base addresses, tried in turn
 * @param startId        the first producer id to ask for
 * @param count          how many producer ids to ask for, in turn, from {@code startId}
 * @param consumers      how many consumers ask at the same time
 * @param interval       how often each consumer asks
 * @param requestTimeout how long each request (each hop) may take
 * @param duration       how long the fleet runs, {@link Duration#ZERO} for until it is closed
 * @param key            the consumer key they present, or null for an open deployment
 * @param ca             a PEM file of the certificate authorities trusted for HTTPS, or null for the JVM's
 */
public record ConsumerFleetConfig(List<URI> balancers, long startId, int count, int consumers, Duration interval,
                                  Duration requestTimeout, Duration duration, String key, Path ca) {
    public static final int MAX_CONSUMERS = 10_000;

    public ConsumerFleetConfig(List<URI> balancers, long startId, int count, int consumers, Duration interval,
                               Duration requestTimeout, Duration duration) {
        this(balancers, startId, count, consumers, interval, requestTimeout, duration, null, null);
    }

    public ConsumerFleetConfig withKey(String consumerKey) {
        return new ConsumerFleetConfig(balancers, startId, count, consumers, interval, requestTimeout, duration,
                consumerKey, ca);
    }

    public ConsumerFleetConfig withCa(Path pemFile) {
        return new ConsumerFleetConfig(balancers, startId, count, consumers, interval, requestTimeout, duration, key,
                pemFile);
    }

    public ConsumerFleetConfig {
        balancers = List.copyOf(balancers);
        FleetChecks.require(!balancers.isEmpty(), "at least one balancer address is needed");
        FleetChecks.require(startId >= 0, "the start id must not be negative (was " + startId + ")");
        FleetChecks.require(count >= 1, "the count must be at least 1 (was " + count + ")");
        FleetChecks.require(startId <= Long.MAX_VALUE - count, "the start id is too large for " + count + " producers");
        FleetChecks.require(consumers >= 1 && consumers <= MAX_CONSUMERS,
                "the number of consumers must be between 1 and " + MAX_CONSUMERS + " (was " + consumers + ")");
        FleetChecks.requirePositive("the interval", interval);
        FleetChecks.requirePositive("the request timeout", requestTimeout);
        FleetChecks.require(duration != null && !duration.isNegative(), "the duration must not be negative");
    }

    String producerId(long index) {
        return Long.toString(startId + Math.floorMod(index, count));
    }
}
