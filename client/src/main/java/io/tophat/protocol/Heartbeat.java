package io.tophat.protocol;

/**
 * One heartbeat as stored and served.
 *
 * @param producer   the producer's id (see {@link ProducerId})
 * @param location   where it was, never null
 * @param data       the producer's data, as JSON text (any JSON value)
 * @param ipAddress  the address the heartbeat came from, stamped by the worker
 * @param receivedAt server time in milliseconds since the epoch (UTC), stamped by the worker
 * @param deviceTime the producer's own clock in milliseconds since the epoch, or null (a worker refuses one too
 *                   far ahead of its own clock)
 * @param seq        the producer's sequence number, used to store a retried heartbeat once, or null
 */
public record Heartbeat(String producer, Location location, String data, String ipAddress, long receivedAt,
                        Long deviceTime, Long seq) {

    /**
     * The heartbeat's time as users mean it: the producer's {@code device_time} when it sent one, else when the
     * worker received it. A producer's latest heartbeat is the one with the greatest time.
     */
    public long time() {
        return deviceTime != null ? deviceTime : receivedAt;
    }
}
