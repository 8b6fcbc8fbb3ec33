package io.tophat.simulator;

import io.tophat.client.DataReply;
import io.tophat.client.ServerStatusException;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.TopHatException;
import io.tophat.client.UnreachableException;

import java.net.ConnectException;

/**
 * The thread body of one simulated consumer: on every tick asks the balancer for the next producer's data
 * ({@code /get_data/{id}}, following the redirect) and records the outcome and latency.
 */
final class SimulatedConsumer implements Runnable {
    private final TopHatConsumer consumer;
    private final ConsumerFleetConfig config;
    private final Pacer pacer;
    private final ConsumerMetrics metrics;
    private long next;

    /** @param firstIndex the position in the producer ids this consumer starts at */
    SimulatedConsumer(TopHatConsumer consumer, ConsumerFleetConfig config, Pacer pacer, ConsumerMetrics metrics, long firstIndex) {
        this.consumer = consumer;
        this.config = config;
        this.pacer = pacer;
        this.metrics = metrics;
        this.next = firstIndex;
    }

    @Override
    public void run() {
        try {
            while (pacer.awaitNext()) {
                ask(config.producerId(next++));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ask(String producerId) throws InterruptedException {
        long start = System.nanoTime();
        ConsumerError error;
        boolean measured = true;
        try {
            DataReply reply = consumer.latestData(producerId);
            error = reply instanceof DataReply.Data ? null
                    : reply instanceof DataReply.UnknownProducer ? ConsumerError.UNKNOWN_PRODUCER : ConsumerError.NO_DATA;
        } catch (ServerStatusException e) {
            error = e.status() == 503 ? ConsumerError.UNAVAILABLE
                    : e.status() >= 500 ? ConsumerError.SERVER_ERROR : ConsumerError.OTHER_STATUS;
        } catch (UnreachableException e) {
            error = e.timedOut() ? ConsumerError.TIMEOUT
                    : e.getCause() instanceof ConnectException ? ConsumerError.CONNECTION_REFUSED : ConsumerError.CONNECTION_ERROR;
            measured = e.timedOut();
        } catch (TopHatException e) {
            error = ConsumerError.BAD_ANSWER;
        }
        metrics.record(error, System.nanoTime() - start, measured);
    }
}
