package io.tophat.simulator;

import java.time.Duration;
import java.util.Locale;

/**
 * A producer fleet's counters, summed over its producers.
 *
 * @param producers       how many producers the fleet has
 * @param gaveUp          how many of them gave up and stopped because their retries ran out
 * @param sent            heartbeats made
 * @param acknowledged    heartbeats a worker stored
 * @param rejected        heartbeats a worker refused as bad
 * @param errors          failed attempts (no answer, timeouts, 5xx, 503, refused registrations) and heartbeats the
 *                        client refused to send
 * @param dropped         heartbeats dropped from full offline buffers
 * @param reRegistrations times a producer was given a worker again
 * @param pending         heartbeats not yet answered now: being sent, or waiting in offline buffers
 * @param window          the time the rate is measured over
 * @param ratePerSecond   acknowledged heartbeats per second over the window
 */
public record ProducerFleetStats(int producers, long gaveUp, long sent, long acknowledged, long rejected, long errors, long dropped,
                                 long reRegistrations, long pending, Duration window, double ratePerSecond) {

    public String oneLine() {
        return String.format(Locale.ROOT,
                "%d producers%s: acknowledged %d (%.1f/s), rejected %d, errors %d, re-registrations %d, pending %d, dropped %d",
                producers, gaveUp == 0 ? "" : " (" + gaveUp + " gave up)", acknowledged, ratePerSecond, rejected, errors,
                reRegistrations, pending, dropped);
    }
}
