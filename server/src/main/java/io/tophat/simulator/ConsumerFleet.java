package io.tophat.simulator;

import io.tophat.client.ConsumerConfig;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.TopHatHttpClients;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Runs simulated consumers, as the report's {@code run_consumers.sh}: each consumer asks the balancer for the
 * data of producers {@code startId .. startId+count-1} in turn (consumer {@code i} starting at the {@code i}-th),
 * one request every interval, following the balancer's redirect. Counts requests and errors by kind and records
 * latency in an HdrHistogram. Runs until its duration is over or it is closed.
 */
public final class ConsumerFleet implements AutoCloseable {
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private final ConsumerFleetConfig config;
    private final TopHatConsumer consumer;
    private final ConsumerMetrics metrics;
    private final FleetThreads threads = new FleetThreads();
    private boolean started;

    public ConsumerFleet(ConsumerFleetConfig config) {
        this.config = config;
        HttpClient http = TopHatHttpClients.create(config.requestTimeout(), config.ca());
        ConsumerConfig consumerConfig = ConsumerConfig.of(config.balancers())
                .withTimeouts(config.requestTimeout(), config.requestTimeout()).withKey(config.key());
        this.consumer = new TopHatConsumer(consumerConfig, http);
        this.metrics = new ConsumerMetrics(config.interval());
    }

    /** Starts every consumer's thread, each with a random phase within the interval. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("the consumer fleet is already started");
        }
        started = true;
        metrics.begin();
        SplittableRandom random = new SplittableRandom();
        long now = System.nanoTime();
        long intervalNanos = config.interval().toNanos();
        boolean hasDeadline = !config.duration().isZero();
        long deadline = now + config.duration().toNanos();
        for (int i = 0; i < config.consumers(); i++) {
            Pacer pacer = new Pacer(config.interval(), now + random.nextLong(intervalNanos), deadline, hasDeadline);
            threads.start(new SimulatedConsumer(consumer, config, pacer, metrics, i), "consumer-" + i);
        }
    }

    /** Waits until every consumer has stopped (its duration is over) or {@code timeout} passes; true when all stopped. */
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        return threads.awaitCompletion(timeout);
    }

    /** The requests since the previous snapshot (or the start), for a status line printed every few seconds. */
    public ConsumerFleetStats intervalSnapshot() {
        return metrics.interval();
    }

    /** Every request since the start. */
    public ConsumerFleetStats totals() {
        return metrics.totals();
    }

    /** One line summing up the whole run. */
    public String summary() {
        return config.consumers() + " consumers, " + config.count() + " producer ids: " + totals().oneLine();
    }

    /** Stops every consumer; requests in flight are abandoned. */
    @Override
    public void close() {
        threads.stop(JOIN_TIMEOUT);
    }
}
