package io.tophat.client;

import io.tophat.protocol.Location;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TopHat producer: registers with a balancer, sends heartbeats to the worker it is given, and fails over.
 *
 * <p>{@link #send} blocks until the heartbeat is stored, rejected, or left in the bounded offline buffer. A
 * worker that does not answer, times out or answers 5xx (other than 503) is reported to the balancer with
 * {@code ?failed=} and replaced; 409 and 410 send the producer back to the balancer without blame; 503 (and 429)
 * are retried on the same worker after Retry-After. Retries pause with exponential backoff and full jitter, up to
 * {@link ProducerConfig#maxRetries()} in a row; after that the heartbeats wait in the offline buffer, oldest
 * dropped first when it is full, and go out in order with the next {@code send} or {@link #flush}.
 *
 * <p>Sequence numbers start at the clock's epoch milliseconds when the producer is made and grow by one per
 * heartbeat, so a restarted producer does not reuse them. Calls are serialised: one sender at a time.
 */
public final class TopHatProducer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TopHatProducer.class.getName());
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private final ProducerConfig config;
    private final BalancerClient balancer;
    private final HeartbeatPoster poster;
    private final Backoff backoff;
    private final OfflineBuffer buffer;
    private final AckListener listener;
    private final CountDownLatch closing = new CountDownLatch(1);

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong reRegistrations = new AtomicLong();

    private volatile URI worker;
    private URI failedWorker;
    private boolean registered;
    private boolean offline;
    private long nextSeq;

    /** A producer with its own HTTP client and no acknowledgement listener. */
    public TopHatProducer(ProducerConfig config) {
        this(config, TopHatHttpClients.create(config.connectTimeout()), AckListener.NONE);
    }

    /**
     * @param http     the HTTP client to use, which may be shared (see {@link TopHatHttpClients#create})
     * @param listener told about every acknowledged heartbeat
     */
    public TopHatProducer(ProducerConfig config, HttpClient http, AckListener listener) {
        this.config = config;
        Transport transport = new Transport(http, config.requestTimeout(), MAX_ANSWER_BYTES);
        this.balancer = new BalancerClient(config.balancers(), transport);
        this.poster = new HeartbeatPoster(transport);
        this.backoff = new Backoff(config.backoffBase(), config.backoffMax(), new SplittableRandom());
        this.buffer = new OfflineBuffer(config.bufferCapacity());
        this.listener = listener;
        this.nextSeq = System.currentTimeMillis();
    }

    public String producerId() {
        return config.producerId();
    }

    /** The worker heartbeats go to now, if the producer has one. */
    public Optional<URI> worker() {
        return Optional.ofNullable(worker);
    }

    /**
     * Asks the balancers for a worker, retrying with backoff up to the configured retries, and returns its base
     * address. {@link #send} registers by itself when needed; call this to register up front.
     *
     * @throws TopHatException when no balancer assigned a worker within the retries
     */
    public synchronized URI register() throws InterruptedException {
        int failed = 0;
        while (true) {
            requireOpen();
            try {
                return registerNow();
            } catch (TopHatException e) {
                failures.incrementAndGet();
                failed++;
                if (exhausted(failed)) {
                    throw e;
                }
                pause(backoff.delay(failed));
            }
        }
    }

    /**
     * Makes a heartbeat with the next sequence number and the current device time, and delivers it after any
     * heartbeats still waiting in the offline buffer.
     *
     * @param location where the producer is (a position or a label)
     * @param dataJson the sensed data, as the text of one JSON value
     * @throws IllegalArgumentException when the location is out of range or the data is not one JSON value
     * @throws IllegalStateException    when the producer is closed
     */
    public synchronized SendResult send(Location location, String dataJson) throws InterruptedException {
        requireOpen();
        String problem = location == null ? "location is required" : location.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        OutgoingHeartbeat.requireJsonValue(dataJson);
        OutgoingHeartbeat heartbeat = new OutgoingHeartbeat(config.producerId(), nextSeq++, System.currentTimeMillis(), location, dataJson);
        sent.incrementAndGet();
        OutgoingHeartbeat evicted = buffer.add(heartbeat);
        if (evicted != null) {
            LOG.log(System.Logger.Level.DEBUG, "producer {0}: offline buffer full, dropped heartbeat seq {1}",
                    config.producerId(), String.valueOf(evicted.seq()));
        }
        return deliver(heartbeat);
    }

    /** Tries to deliver the heartbeats waiting in the offline buffer; returns true when none is left. */
    public synchronized boolean flush() throws InterruptedException {
        requireOpen();
        deliver(null);
        return buffer.size() == 0;
    }

    public ProducerStats stats() {
        return new ProducerStats(sent.get(), acknowledged.get(), rejected.get(), buffer.dropped(), failures.get(),
                reRegistrations.get(), buffer.size());
    }

    /** Stops the producer: a send waiting between retries returns at once with its heartbeat buffered. */
    @Override
    public void close() {
        closing.countDown();
    }

    private boolean isClosed() {
        return closing.getCount() == 0;
    }

    private void requireOpen() {
        if (isClosed()) {
            throw new IllegalStateException("producer " + config.producerId() + " is closed");
        }
    }

    /** Delivers buffered heartbeats in order until none is left or the retries run out; reports on {@code target}. */
    private SendResult deliver(OutgoingHeartbeat target) throws InterruptedException {
        SendResult result = null;
        String lastFailure = "";
        int failed = 0;
        OutgoingHeartbeat head;
        while (!isClosed() && (head = buffer.peek()) != null) {
            if (worker == null) {
                try {
                    registerNow();
                    continue;
                } catch (TopHatException e) {
                    lastFailure = e.getMessage();
                    failed = countFailure(failed);
                    if (!retryAfterPause(failed, backoff.delay(failed), lastFailure)) {
                        break;
                    }
                    continue;
                }
            }
            PostOutcome outcome = poster.post(worker, head);
            if (outcome instanceof PostOutcome.Acknowledged) {
                acknowledge(head);
                failed = 0;
                result = head == target ? new SendResult(head.seq(), Delivery.ACKNOWLEDGED, "") : result;
            } else if (outcome instanceof PostOutcome.Rejected r) {
                reject(head, r);
                failed = 0;
                result = head == target ? new SendResult(head.seq(), Delivery.REJECTED, r.status() + " " + r.message()) : result;
            } else {
                failed = countFailure(failed);
                lastFailure = describe(outcome);
                if (!retryAfterPause(failed, pauseAfter(outcome, failed), lastFailure)) {
                    break;
                }
            }
        }
        if (result != null) {
            return result;
        }
        return new SendResult(target == null ? -1 : target.seq(), Delivery.BUFFERED, lastFailure);
    }

    private URI registerNow() throws InterruptedException {
        URI previous = failedWorker;
        URI assigned = balancer.register(config.producerId(), failedWorker);
        if (registered) {
            reRegistrations.incrementAndGet();
            LOG.log(System.Logger.Level.INFO, "producer {0} now sends to {1}{2}", config.producerId(), assigned,
                    previous == null ? "" : " instead of " + previous);
        }
        registered = true;
        failedWorker = null;
        worker = assigned;
        return assigned;
    }

    private void acknowledge(OutgoingHeartbeat heartbeat) {
        buffer.removeFirst(heartbeat);
        acknowledged.incrementAndGet();
        if (offline) {
            offline = false;
            LOG.log(System.Logger.Level.INFO, "producer {0} delivers again, to {1}", config.producerId(), worker);
        }
        try {
            listener.acknowledged(heartbeat.producer(), heartbeat.seq());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "acknowledgement listener failed for producer " + heartbeat.producer(), e);
        }
    }

    private void reject(OutgoingHeartbeat heartbeat, PostOutcome.Rejected rejection) {
        buffer.removeFirst(heartbeat);
        rejected.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "producer {0}: {1} rejected heartbeat seq {2} with {3}: {4}",
                config.producerId(), worker, String.valueOf(heartbeat.seq()), rejection.status(), rejection.message());
    }

    /** What to do about a worker's failure: which worker to ask for next, and how long to wait (null: back off). */
    private Duration pauseAfter(PostOutcome outcome, int failed) {
        if (outcome instanceof PostOutcome.Overloaded o) {
            Duration wait = o.retryAfter();
            return wait == null ? null : (wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
        }
        if (outcome instanceof PostOutcome.WorkerFailed f) {
            LOG.log(System.Logger.Level.DEBUG, "producer {0}: worker failed ({1}); asking a balancer for another",
                    config.producerId(), f.message());
            failedWorker = worker;
        }
        worker = null;
        return outcome instanceof PostOutcome.Moved && failed == 1 ? Duration.ZERO : null;
    }

    private static String describe(PostOutcome outcome) {
        if (outcome instanceof PostOutcome.Overloaded o) {
            return o.message();
        }
        if (outcome instanceof PostOutcome.Moved m) {
            return m.message();
        }
        return ((PostOutcome.WorkerFailed) outcome).message();
    }

    private int countFailure(int failed) {
        failures.incrementAndGet();
        return failed + 1;
    }

    /** Pauses before the next retry and returns true, or returns false when the retries are used up. */
    private boolean retryAfterPause(int failed, Duration requested, String lastFailure) throws InterruptedException {
        if (exhausted(failed)) {
            goOffline(lastFailure);
            return false;
        }
        pause(requested != null ? requested : backoff.delay(failed));
        return true;
    }

    private boolean exhausted(int failed) {
        return config.maxRetries() != ProducerConfig.RETRY_FOREVER && failed > config.maxRetries();
    }

    private void goOffline(String lastFailure) {
        System.Logger.Level level = offline ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
        offline = true;
        LOG.log(level, "producer {0}: no worker took its heartbeats after {1} retries (last: {2}); {3} wait in the offline buffer",
                config.producerId(), config.maxRetries(), lastFailure, buffer.size());
    }

    private void pause(Duration wait) throws InterruptedException {
        if (!wait.isZero() && !wait.isNegative()) {
            closing.await(wait.toNanos(), TimeUnit.NANOSECONDS);
        }
    }
}
