package io.tophat.simulator;

import io.tophat.client.FlushResult;
import io.tophat.client.TopHatProducer;
import io.tophat.protocol.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;

/**
 * The thread body of one simulated phone. On every tick it moves along its path and makes a heartbeat (a phone
 * keeps sensing while it cannot reach a worker), then delivers what waits until the next tick. When the retries
 * allowed run out the phone gives up and stops, as the report's producers did; with unlimited retries it keeps
 * trying, its readings waiting in the bounded offline buffer.
 */
final class SimulatedProducer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedProducer.class);

    private final TopHatProducer producer;
    private final Pacer pacer;
    private final SimulatedPath path;
    private final SimulatedSensors sensors;
    private final boolean retryForever;
    private final FleetCounters counters;

    /** What the producers of a fleet count together, besides their clients' own counters. */
    record FleetCounters(LongAdder refused, LongAdder gaveUp) {
    }

    SimulatedProducer(TopHatProducer producer, Pacer pacer, RandomGenerator random, boolean retryForever, FleetCounters counters) {
        this.producer = producer;
        this.pacer = pacer;
        this.path = new SimulatedPath(random);
        this.sensors = new SimulatedSensors(random);
        this.retryForever = retryForever;
        this.counters = counters;
    }

    @Override
    public void run() {
        long last = System.nanoTime();
        try {
            while (pacer.awaitNext()) {
                long now = System.nanoTime();
                double seconds = (now - last) / 1e9;
                last = now;
                Location location = path.next(seconds);
                enqueue(location, sensors.next(seconds, path.speed(), path.cycling()));
                if (producer.flush(pacer.untilNextTick()) == FlushResult.GAVE_UP && !retryForever) {
                    counters.gaveUp().increment();
                    LOG.warn("producer {} gives up: no worker took its heartbeats within its retries ({} wait unsent)",
                            producer.producerId(), producer.stats().pending());
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            LOG.debug("producer {} stopped: {}", producer.producerId(), e.getMessage());
        }
    }

    private void enqueue(Location location, String data) {
        try {
            producer.enqueue(location, data);
        } catch (IllegalArgumentException e) {
            if (counters.refused().sum() == 0) {
                LOG.warn("producer {} made a heartbeat the client refused: {}", producer.producerId(), e.getMessage());
            }
            counters.refused().increment();
        }
    }
}
