package io.tophat.client;

import io.tophat.protocol.Location;

import java.net.URI;
import java.time.Instant;

/**
 * A producer found by {@link TopHatConsumer#near}.
 *
 * @param distanceM great-circle distance from the query's centre, metres
 * @param location  the position of its latest heartbeat
 * @param time      that heartbeat's time
 * @param worker    the worker whose position this is
 */
public record NearbyProducer(String producer, double distanceM, Location location, Instant time, URI worker) {
}
