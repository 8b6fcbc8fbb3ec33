package io.tophat.simulator;

import io.tophat.client.AckListener;
import io.tophat.client.ProducerConfig;
import io.tophat.client.ProducerStats;
import io.tophat.client.TopHatHttpClients;
import io.tophat.client.TopHatProducer;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs simulated phones, as the report's {@code run_producers.sh}: producers with ids {@code startId ..
 * startId+count-1}, one thread each, every one moving along its own path near St Andrews and sending a heartbeat
 * every interval (each with its own random phase, so they do not all fire together), failing over as the client
 * library does. A producer whose retries run out gives up and stops, unless retries are unlimited. Runs until its
 * duration is over or it is closed.
 */
public final class ProducerFleet implements AutoCloseable {
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    private final ProducerFleetConfig config;
    private final List<TopHatProducer> producers = new ArrayList<>();
    private final FleetThreads threads = new FleetThreads();
    private final SimulatedProducer.FleetCounters counters = new SimulatedProducer.FleetCounters(new LongAdder(), new LongAdder());
    private final SplittableRandom random = new SplittableRandom();
    private long startedNanos;
    private long sampleNanos;
    private long sampleAcknowledged;
    private boolean started;

    public ProducerFleet(ProducerFleetConfig config) {
        this(config, AckListener.NONE);
    }

    /** @param listener told about every heartbeat any producer of the fleet had acknowledged */
    public ProducerFleet(ProducerFleetConfig config, AckListener listener) {
        this.config = config;
        HttpClient http = TopHatHttpClients.create(config.requestTimeout(), config.ca());
        for (int i = 0; i < config.count(); i++) {
            ProducerConfig producer = ProducerConfig.of(config.producerId(i), config.balancers())
                    .withMaxRetries(config.maxRetries())
                    .withTimeouts(config.requestTimeout(), config.requestTimeout())
                    .withToken(config.tokens() == null ? null : config.tokens().token(config.producerId(i)));
            producers.add(new TopHatProducer(producer, http, listener));
        }
    }

    /** Starts every producer's thread. */
    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("the producer fleet is already started");
        }
        started = true;
        startedNanos = System.nanoTime();
        sampleNanos = startedNanos;
        long intervalNanos = config.interval().toNanos();
        boolean hasDeadline = !config.duration().isZero();
        long deadline = startedNanos + config.duration().toNanos();
        for (TopHatProducer producer : producers) {
            SplittableRandom own = random.split();
            Pacer pacer = new Pacer(config.interval(), startedNanos + own.nextLong(intervalNanos), deadline, hasDeadline);
            boolean retryForever = config.maxRetries() == ProducerConfig.RETRY_FOREVER;
            threads.start(new SimulatedProducer(producer, pacer, own, retryForever, counters),
                    "producer-" + producer.producerId());
        }
    }

    /** Waits until every producer has stopped (its duration is over) or {@code timeout} passes; true when all stopped. */
    public boolean awaitCompletion(Duration timeout) throws InterruptedException {
        return threads.awaitCompletion(timeout);
    }

    /** The counters since the start, with the acknowledgement rate over the whole run. */
    public synchronized ProducerFleetStats stats() {
        ProducerStats sum = sum();
        return stats(sum, Duration.ofNanos(System.nanoTime() - startedNanos), sum.acknowledged());
    }

    /** The counters since the start, with the acknowledgement rate since the previous call (for a status line). */
    public synchronized ProducerFleetStats intervalStats() {
        ProducerStats sum = sum();
        long now = System.nanoTime();
        ProducerFleetStats stats = stats(sum, Duration.ofNanos(now - sampleNanos), sum.acknowledged() - sampleAcknowledged);
        sampleNanos = now;
        sampleAcknowledged = sum.acknowledged();
        return stats;
    }

    /** Stops every producer: waits between retries end at once, requests in flight are abandoned. */
    @Override
    public void close() {
        producers.forEach(TopHatProducer::close);
        threads.stop(JOIN_TIMEOUT);
    }

    private ProducerStats sum() {
        ProducerStats sum = ProducerStats.ZERO;
        for (TopHatProducer producer : producers) {
            sum = sum.plus(producer.stats());
        }
        return sum;
    }

    private ProducerFleetStats stats(ProducerStats sum, Duration window, long acknowledgedInWindow) {
        double seconds = window.toNanos() / 1e9;
        double rate = started && seconds > 0 ? acknowledgedInWindow / seconds : 0;
        return new ProducerFleetStats(producers.size(), counters.gaveUp().sum(), sum.sent(), sum.acknowledged(),
                sum.rejected(), sum.failures() + counters.refused().sum(), sum.dropped(), sum.reRegistrations(),
                sum.pending(), window, rate);
    }
}
