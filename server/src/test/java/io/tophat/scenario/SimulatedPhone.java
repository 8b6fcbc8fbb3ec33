package io.tophat.scenario;

import io.tophat.client.Delivery;
import io.tophat.client.ProducerConfig;
import io.tophat.client.SendResult;
import io.tophat.client.TopHatProducer;
import io.tophat.protocol.Location;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A producer for the scenarios: a real {@link TopHatProducer} on its own thread, sending {@code {"n": N}}
 * every {@code interval}, N counting up from 1; remembers the last N a worker acknowledged.
 */
final class SimulatedPhone implements AutoCloseable {
    private final TopHatProducer producer;
    private final Thread thread;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong lastAcknowledged = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    SimulatedPhone(URI balancer, String id, Duration interval) {
        this.producer = new TopHatProducer(ProducerConfig.of(id, balancer).withMaxRetries(ProducerConfig.RETRY_FOREVER)
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withBackoff(Duration.ofMillis(20), Duration.ofMillis(500)));
        this.thread = new Thread(() -> run(interval), "phone-" + id);
        this.thread.start();
    }

    private void run(Duration interval) {
        long n = 0;
        while (running.get()) {
            n++;
            try {
                SendResult result = producer.send(Location.of(56.34 + n * 1e-5, -2.79), "{\"n\":" + n + "}");
                if (result.delivery() == Delivery.ACKNOWLEDGED) {
                    lastAcknowledged.set(n);
                } else {
                    failures.incrementAndGet();
                }
                Thread.sleep(interval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    long lastAcknowledged() {
        return lastAcknowledged.get();
    }

    long failures() {
        return failures.get();
    }

    URI worker() {
        return producer.worker().orElse(null);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.interrupt();
        thread.join(5000);
        producer.close();
    }
}
