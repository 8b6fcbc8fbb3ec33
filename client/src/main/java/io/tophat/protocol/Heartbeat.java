package io.tophat.protocol;

/**
 * One heartbeat as stored and served.
 *
 * @param producer   the producer's id (see {@link ProducerId})
 * @param location   where it was, never null
 * @param data       the producer's data, as JSON text (any JSON value)
 * @param ipAddress  the address the heartbeat came from, stamped by the worker
 * @param receivedAt server time in milliseconds since the epoch (UTC), stamped by the worker
 * @param deviceTime the producer's own clock in milliseconds since the epoch, or null
 * @param seq        the producer's sequence number, used to store a retried heartbeat once, or null
 */
public record Heartbeat(String producer, Location location, String data, String ipAddress, long receivedAt,
                        Long deviceTime, Long seq) {
}
