package io.tophat.client;

/**
 * A producer's counters since it was made.
 *
 * @param sent            heartbeats handed to {@code send}
 * @param acknowledged    heartbeats a worker stored (2xx)
 * @param rejected        heartbeats a worker refused as bad (4xx), not retried
 * @param dropped         heartbeats dropped from the full offline buffer, oldest first
 * @param failures        failed attempts: no answer, timeouts, 5xx, overload (503), refused registrations
 * @param reRegistrations times the producer was assigned a worker again after its first registration
 * @param pending         heartbeats not yet answered: the one being sent and those waiting in the offline buffer
 */
public record ProducerStats(long sent, long acknowledged, long rejected, long dropped, long failures,
                            long reRegistrations, int pending) {

    public static final ProducerStats ZERO = new ProducerStats(0, 0, 0, 0, 0, 0, 0);

    public ProducerStats plus(ProducerStats o) {
        return new ProducerStats(sent + o.sent, acknowledged + o.acknowledged, rejected + o.rejected,
                dropped + o.dropped, failures + o.failures, reRegistrations + o.reRegistrations, pending + o.pending);
    }
}
