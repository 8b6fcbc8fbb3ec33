package io.tophat.cluster;

import io.tophat.client.Delivery;
import io.tophat.client.ProducerConfig;
import io.tophat.client.SendResult;
import io.tophat.client.TopHatHttpClients;
import io.tophat.client.TopHatProducer;
import io.tophat.protocol.Location;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Real {@link TopHatProducer}s in the test JVM, one thread each, sending a heartbeat every interval forever
 * (retrying without limit) with data {@code {"n": k}}, k counting up. Logs every acknowledged (producer, seq), when
 * each acknowledgement came and, per producer, when it was acknowledged by which worker.
 */
final class ProducerLoad implements AutoCloseable {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    /** A producer started acking on {@code worker} at {@code nanos}. */
    record Switch(long nanos, String worker) {
    }

    final class Phone {
        final String id;
        final TopHatProducer producer;
        final ConcurrentLinkedQueue<Switch> switches = new ConcurrentLinkedQueue<>();
        volatile long lastAckedN = -1;
        volatile long lastAckedSeq = -1;
        volatile long lastAckNanos = Long.MIN_VALUE;
        volatile String ackWorker;

        Phone(String id) {
            this.id = id;
            ProducerConfig config = ProducerConfig.of(id, balancers).withMaxRetries(ProducerConfig.RETRY_FOREVER)
                    .withTimeouts(Duration.ofSeconds(1), REQUEST_TIMEOUT)
                    .withBackoff(Duration.ofMillis(50), Duration.ofSeconds(1));
            this.producer = new TopHatProducer(config, http,
                    (producer, seq) -> {
                        acknowledged.computeIfAbsent(producer, p -> ConcurrentHashMap.newKeySet()).add(seq);
                        acknowledgedAt.add(System.nanoTime());
                    });
        }

        void run() {
            Location place = Location.of(56.34, -2.79 + Math.floorMod(id.hashCode(), 1000) * 1e-5);
            for (long n = 0; running.get(); n++) {
                long started = System.nanoTime();
                try {
                    SendResult r = producer.send(place, "{\"n\":" + n + "}");
                    if (r.delivery() == Delivery.ACKNOWLEDGED) {
                        acknowledgedAt(n, r.seq());
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (IllegalStateException e) {
                    return; // closed
                }
                long sleep = interval.toNanos() - (System.nanoTime() - started);
                if (sleep > 0) {
                    try {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        private void acknowledgedAt(long n, long seq) {
            long now = System.nanoTime();
            String worker = producer.worker().map(URI::toString).orElse("?");
            if (!worker.equals(ackWorker)) {
                switches.add(new Switch(now, worker));
                ackWorker = worker;
            }
            lastAckedN = n;
            lastAckedSeq = seq;
            lastAckNanos = now;
        }

        /** When this producer was first acknowledged by another worker than {@code worker} after {@code afterNanos}, or -1. */
        long firstAckAwayFrom(String worker, long afterNanos) {
            for (Switch s : switches) {
                if (s.nanos() > afterNanos && !s.worker().equals(worker)) {
                    return s.nanos();
                }
            }
            return -1;
        }
    }

    private final List<URI> balancers;
    private final Duration interval;
    private final HttpClient http = TopHatHttpClients.create(Duration.ofSeconds(1));
    private final Map<String, Set<Long>> acknowledged = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Long> acknowledgedAt = new ConcurrentLinkedQueue<>();
    private final List<Phone> phones = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);

    private ProducerLoad(List<URI> balancers, Duration interval) {
        this.balancers = balancers;
        this.interval = interval;
    }

    /** Starts {@code count} producers with ids {@code prefix + i}. */
    static ProducerLoad start(URI balancer, String prefix, int count, Duration interval) {
        return start(List.of(balancer), prefix, count, interval);
    }

    /** Starts {@code count} producers with ids {@code prefix + i}, registering at the first balancer that answers. */
    static ProducerLoad start(List<URI> balancers, String prefix, int count, Duration interval) {
        ProducerLoad load = new ProducerLoad(balancers, interval);
        for (int i = 0; i < count; i++) {
            load.phones.add(load.new Phone(prefix + i));
        }
        for (Phone phone : load.phones) {
            Thread t = new Thread(phone::run, "producer-" + phone.id);
            t.setDaemon(true);
            load.threads.add(t);
            t.start();
        }
        return load;
    }

    List<Phone> phones() {
        return phones;
    }

    List<String> ids() {
        return phones.stream().map(p -> p.id).toList();
    }

    Phone phone(String id) {
        return phones.stream().filter(p -> p.id.equals(id)).findFirst().orElseThrow();
    }

    /** Producers whose last acknowledgement came from {@code workerUrl}. */
    List<Phone> ackedBy(String workerUrl) {
        return phones.stream().filter(p -> workerUrl.equals(p.ackWorker)).toList();
    }

    /** Producer id to the worker that acknowledged its last heartbeat. */
    Map<String, String> ackWorkers() {
        Map<String, String> workers = new HashMap<>();
        phones.forEach(p -> workers.put(p.id, p.ackWorker));
        return workers;
    }

    /** Waits until every producer has had a heartbeat acknowledged after {@code afterNanos}. */
    void awaitAllAcknowledgedAfter(long afterNanos, Duration timeout) {
        try {
            org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                    .until(() -> phones.stream().noneMatch(p -> p.lastAckNanos <= afterNanos));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            long waiting = phones.stream().filter(p -> p.lastAckNanos <= afterNanos).count();
            throw new AssertionError(waiting + " producers had no heartbeat acknowledged within " + timeout, e);
        }
    }

    /** Copy of the acknowledged (producer, seq) log. */
    Map<String, Set<Long>> acknowledged() {
        Map<String, Set<Long>> copy = new HashMap<>();
        acknowledged.forEach((p, seqs) -> copy.put(p, Set.copyOf(seqs)));
        return copy;
    }

    long acknowledgedCount() {
        return acknowledged.values().stream().mapToLong(Set::size).sum();
    }

    /** Heartbeats acknowledged at or after {@code fromNanos} and before {@code toNanos}. */
    long acknowledgedBetween(long fromNanos, long toNanos) {
        return acknowledgedAt.stream().filter(t -> t - fromNanos >= 0 && t - toNanos < 0).count();
    }

    long reRegistrations() {
        return phones.stream().mapToLong(p -> p.producer.stats().reRegistrations()).sum();
    }

    /** Stops sending and waits for the threads; heartbeats not yet acknowledged are left unsent. */
    void stop() throws InterruptedException {
        running.set(false);
        for (Phone phone : phones) {
            phone.producer.close();
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
