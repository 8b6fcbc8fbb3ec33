package io.tophat.client;

import java.net.URI;
import java.time.Instant;

/**
 * A producer as the balancer lists it.
 *
 * @param id       the producer's id
 * @param worker   its worker, or null when the balancer has none alive for it
 * @param lastSeen the time of its latest heartbeat, or null when no worker has one
 */
public record ProducerInfo(String id, URI worker, Instant lastSeen) {
}
