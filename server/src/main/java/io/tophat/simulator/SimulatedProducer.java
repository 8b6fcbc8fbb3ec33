package io.tophat.simulator;

import io.tophat.client.TopHatProducer;
import io.tophat.protocol.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.LongAdder;
import java.util.random.RandomGenerator;

/** The thread body of one simulated phone: moves along its path and sends a heartbeat on every tick. */
final class SimulatedProducer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedProducer.class);

    private final TopHatProducer producer;
    private final Pacer pacer;
    private final SimulatedPath path;
    private final SimulatedSensors sensors;
    private final LongAdder crashes;

    SimulatedProducer(TopHatProducer producer, Pacer pacer, RandomGenerator random, LongAdder crashes) {
        this.producer = producer;
        this.pacer = pacer;
        this.path = new SimulatedPath(random);
        this.sensors = new SimulatedSensors(random);
        this.crashes = crashes;
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
                sendQuietly(location, sensors.next(seconds, path.speed(), path.cycling()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            LOG.debug("producer {} stopped: {}", producer.producerId(), e.getMessage());
        }
    }

    private void sendQuietly(Location location, String data) throws InterruptedException {
        try {
            producer.send(location, data);
        } catch (IllegalArgumentException e) {
            if (crashes.sum() == 0) {
                LOG.warn("producer {} made a heartbeat the client refused: {}", producer.producerId(), e.getMessage());
            }
            crashes.increment();
        }
    }
}
