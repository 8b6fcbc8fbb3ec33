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
 * <p>Heartbeats go through a bounded offline buffer, oldest first: {@link #enqueue} only adds one (never
 * blocks), {@link #send} adds one and blocks until it is answered or the retries run out, {@link #flush} sends
 * what waits. A worker that does not answer, times out or answers 5xx (other than 503) is reported to the balancer
 * with {@code ?failed=} and replaced; 409 and 410 send the producer back to the balancer without blame; 503 (and
 * 429) are retried on the same worker after Retry-After. Failed attempts pause with exponential backoff and full
 * jitter; after {@link ProducerConfig#maxRetries()} failures in a row the call gives up, the heartbeats keep
 * waiting (the oldest dropped first when the buffer is full), and the next call starts afresh.
 *
 * <p>Sequence numbers start at the clock's epoch milliseconds when the producer is made and grow by one per
 * heartbeat, so a restarted producer does not reuse them. Delivery calls are serialised; {@link #enqueue} may be
 * called from any thread at any time.
 */
public final class TopHatProducer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TopHatProducer.class.getName());
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);
    private static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final long UNLIMITED = -1;
    /** The most heartbeats sent in one batch (the worker's limit). */
    static final int MAX_BATCH = 1000;
    /** About the most JSON in one batch: under the worker's 4 MiB body limit. */
    static final int MAX_BATCH_CHARS = 3 * 1024 * 1024;

    private final ProducerConfig config;
    private final HeartbeatPoster poster;
    private final Backoff backoff;
    private final OfflineBuffer buffer;
    private final AckListener listener;
    private final CountDownLatch closing = new CountDownLatch(1);

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /** Guarded by {@code buffer}. */
    private long nextSeq;

    /* The delivery state, guarded by this. */
    private final WorkerAssignment assignment;
    private final RetryRun retries;
    private boolean offline;
    private String lastFailure = "";
    /** After a batch was refused, heartbeats up to this seq go one by one, so only the bad one is rejected. */
    private long singlyThrough = Long.MIN_VALUE;

    /** What one delivery call achieved, and what became of the heartbeat it was made for (null when unknown). */
    private record Round(FlushResult result, Delivery target, String targetDetail) {
    }

    /** A producer with its own HTTP client and no acknowledgement listener. */
    public TopHatProducer(ProducerConfig config) {
        this(config, TopHatHttpClients.create(config.connectTimeout(), config.ca()), AckListener.NONE);
    }

    /**
     * @param http     the HTTP client to use, which may be shared (see {@link TopHatHttpClients#create})
     * @param listener told about every acknowledged heartbeat
     */
    public TopHatProducer(ProducerConfig config, HttpClient http, AckListener listener) {
        this.config = config;
        Transport transport = new Transport(http, config.requestTimeout(), MAX_ANSWER_BYTES, config.token());
        this.poster = new HeartbeatPoster(transport);
        this.backoff = new Backoff(config.backoffBase(), config.backoffMax(), new SplittableRandom());
        this.buffer = new OfflineBuffer(config.bufferCapacity());
        this.listener = listener;
        this.assignment = new WorkerAssignment(config.producerId(), new BalancerClient(config.balancers(), transport));
        this.retries = new RetryRun(config.maxRetries(), backoff);
        this.nextSeq = System.currentTimeMillis();
    }

    public String producerId() {
        return config.producerId();
    }

    /** The worker heartbeats go to now, if the producer has one. */
    public Optional<URI> worker() {
        return Optional.ofNullable(assignment.worker());
    }

    /**
     * Asks the balancers for a worker, retrying with backoff up to the configured retries, and returns its base
     * address. Delivery registers by itself when needed; call this to register up front.
     *
     * @throws TopHatException       when no balancer assigned a worker within the retries
     * @throws IllegalStateException when the producer is closed
     */
    public synchronized URI register() throws InterruptedException {
        RetryRun run = new RetryRun(config.maxRetries(), backoff);
        while (true) {
            requireOpen();
            try {
                return assignment.register();
            } catch (TopHatException e) {
                failures.incrementAndGet();
                if (!run.fail(null)) {
                    throw e;
                }
                pause(run.nanosToWait(System.nanoTime()));
            }
        }
    }

    /**
     * Makes a heartbeat with the next sequence number and the current device time and puts it in the offline
     * buffer, to go out with the next {@link #send} or {@link #flush}. Never blocks.
     *
     * @param location where the producer is (a position or a label)
     * @param dataJson the sensed data, as the text of one JSON value
     * @return the heartbeat's sequence number
     * @throws IllegalArgumentException when the location is out of range or the data is not one JSON value
     * @throws IllegalStateException    when the producer is closed
     */
    public long enqueue(Location location, String dataJson) {
        return enqueue(location, dataJson, System.currentTimeMillis());
    }

    /**
     * As {@link #enqueue(Location, String)}, for a reading made earlier (a phone that recorded while offline):
     * {@code deviceTimeMillis} is when it was made, which orders it in the history.
     */
    public long enqueue(Location location, String dataJson, long deviceTimeMillis) {
        requireOpen();
        String problem = location == null ? "location is required" : location.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        OutgoingHeartbeat.requireJsonValue(dataJson);
        OutgoingHeartbeat heartbeat;
        OutgoingHeartbeat evicted;
        synchronized (buffer) {
            heartbeat = new OutgoingHeartbeat(config.producerId(), nextSeq++, deviceTimeMillis, location, dataJson);
            evicted = buffer.add(heartbeat);
        }
        sent.incrementAndGet();
        if (evicted != null) {
            LOG.log(System.Logger.Level.DEBUG, "producer {0}: offline buffer full, dropped heartbeat seq {1}",
                    config.producerId(), String.valueOf(evicted.seq()));
        }
        return heartbeat.seq();
    }

    /**
     * Makes a heartbeat as {@link #enqueue} does and delivers it, after the heartbeats waiting before it. Blocks
     * until it is answered, or the retries run out, or the producer is closed.
     */
    public SendResult send(Location location, String dataJson) throws InterruptedException {
        long seq = enqueue(location, dataJson);
        synchronized (this) {
            Round round = deliver(seq, UNLIMITED);
            if (round.target() != null) {
                return new SendResult(seq, round.target(), round.targetDetail());
            }
            OutgoingHeartbeat head = buffer.peek();
            boolean dropped = head == null || head.seq() > seq;
            return new SendResult(seq, dropped ? Delivery.DROPPED : Delivery.BUFFERED, lastFailure);
        }
    }

    /** A reading to send in a batch: where, what, and when it was made. */
    public record Reading(Location location, String dataJson, long deviceTimeMillis) {
    }

    /**
     * Puts the readings in the offline buffer (each with its own time) and delivers everything waiting, in batches
     * of up to {@value #MAX_BATCH} heartbeats through {@code POST /api/v1/producers/{id}/heartbeats}; blocks until
     * they are answered or the retries run out. More readings than the buffer holds are delivered as it fills;
     * when delivery fails meanwhile, the buffer keeps the newest, as {@link #enqueue} does.
     *
     * @throws IllegalArgumentException when a reading is invalid (nothing is enqueued then)
     */
    public FlushResult sendBatch(java.util.List<Reading> readings) throws InterruptedException {
        for (Reading r : readings) {
            String problem = r.location() == null ? "location is required" : r.location().problem();
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            OutgoingHeartbeat.requireJsonValue(r.dataJson());
        }
        boolean delivering = true;
        for (Reading r : readings) {
            if (delivering && buffer.size() >= config.bufferCapacity()) {
                delivering = flush() == FlushResult.DELIVERED;
            }
            enqueue(r.location(), r.dataJson(), r.deviceTimeMillis());
        }
        return flush();
    }

    /** Delivers the heartbeats waiting in the offline buffer, blocking until they are answered or the retries run out. */
    public synchronized FlushResult flush() throws InterruptedException {
        return deliver(Long.MAX_VALUE, UNLIMITED).result();
    }

    /**
     * Delivers the heartbeats waiting in the offline buffer for at most about {@code maxWait} (a request under way
     * may take up to the request timeout longer). Failures and pauses carry over to the next call, so calling this
     * on every tick of a timer retries at the backoff's pace, not the timer's.
     */
    public synchronized FlushResult flush(Duration maxWait) throws InterruptedException {
        return deliver(Long.MAX_VALUE, Math.max(0, maxWait.toNanos())).result();
    }

    public ProducerStats stats() {
        return new ProducerStats(sent.get(), acknowledged.get(), rejected.get(), buffer.dropped(), failures.get(),
                assignment.reRegistrations(), buffer.size());
    }

    /** Stops the producer: a call waiting between retries returns at once, its heartbeats left in the buffer. */
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

    /** Delivers waiting heartbeats in order, up to and including {@code targetSeq}, within the budget. */
    private Round deliver(long targetSeq, long budgetNanos) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, budgetNanos);
        Delivery target = null;
        String targetDetail = "";
        boolean attempted = false;
        while (!isClosed()) {
            OutgoingHeartbeat head = buffer.peek();
            if (head == null || head.seq() > targetSeq) {
                return new Round(FlushResult.DELIVERED, target, targetDetail);
            }
            long now = System.nanoTime();
            long wait = retries.nanosToWait(now);
            if (budgetNanos != UNLIMITED && (wait > 0 ? retries.retryAtNanos() - deadline > 0 : attempted && now - deadline > 0)) {
                pause(deadline - now);
                return new Round(FlushResult.PENDING, target, targetDetail);
            }
            if (wait > 0) {
                pause(wait);
                continue;
            }
            attempted = true;
            if (assignment.worker() == null) {
                if (!tryRegister()) {
                    return new Round(FlushResult.GAVE_UP, target, targetDetail);
                }
                continue;
            }
            if (buffer.waitingUpTo(targetSeq, 2) > 1 && head.seq() > singlyThrough) {
                java.util.List<OutgoingHeartbeat> batch = buffer.claimOldest(MAX_BATCH, targetSeq, MAX_BATCH_CHARS);
                PostOutcome outcome = postBatch(batch);
                if (outcome instanceof PostOutcome.Acknowledged) {
                    for (OutgoingHeartbeat h : batch) {
                        acknowledge(h);
                        target = h.seq() == targetSeq ? Delivery.ACKNOWLEDGED : target;
                    }
                } else if (outcome instanceof PostOutcome.Rejected r) {
                    LOG.log(System.Logger.Level.DEBUG, "producer {0}: a batch was refused ({1}); sending its {2} "
                            + "heartbeats one by one", config.producerId(), r.message(), batch.size());
                    singlyThrough = batch.get(batch.size() - 1).seq();
                } else if (!failed(describe(outcome), pauseAfter(outcome))) {
                    return new Round(FlushResult.GAVE_UP, target, targetDetail);
                }
                continue;
            }
            OutgoingHeartbeat claimed = buffer.claimHead();
            if (claimed == null || claimed.seq() > targetSeq) {
                buffer.release();
                continue;
            }
            PostOutcome outcome = post(claimed);
            if (outcome instanceof PostOutcome.Acknowledged) {
                acknowledge(claimed);
                target = claimed.seq() == targetSeq ? Delivery.ACKNOWLEDGED : target;
            } else if (outcome instanceof PostOutcome.Rejected r) {
                reject(claimed, r);
                target = claimed.seq() == targetSeq ? Delivery.REJECTED : target;
                targetDetail = claimed.seq() == targetSeq ? r.status() + " " + r.message() : targetDetail;
            } else if (!failed(describe(outcome), pauseAfter(outcome))) {
                return new Round(FlushResult.GAVE_UP, target, targetDetail);
            }
        }
        return new Round(FlushResult.PENDING, target, targetDetail);
    }

    /** Posts the claimed heartbeat; it is settled (removed) when answered, else released to wait again. */
    private PostOutcome post(OutgoingHeartbeat claimed) throws InterruptedException {
        boolean answered = false;
        try {
            PostOutcome outcome = poster.post(assignment.worker(), claimed);
            answered = outcome instanceof PostOutcome.Acknowledged || outcome instanceof PostOutcome.Rejected;
            return outcome;
        } finally {
            if (answered) {
                buffer.settle(claimed);
            } else {
                buffer.release();
            }
        }
    }

    /** Posts claimed heartbeats as one batch; they are settled when stored, else released to wait again. */
    private PostOutcome postBatch(java.util.List<OutgoingHeartbeat> batch) throws InterruptedException {
        boolean stored = false;
        try {
            PostOutcome outcome = poster.postBatch(assignment.worker(), batch);
            stored = outcome instanceof PostOutcome.Acknowledged;
            return outcome;
        } finally {
            if (stored) {
                buffer.settle(batch);
            } else {
                buffer.release();
            }
        }
    }

    private boolean tryRegister() throws InterruptedException {
        try {
            assignment.register();
            return true;
        } catch (TopHatException e) {
            return failed(e.getMessage(), null);
        }
    }

    private void acknowledge(OutgoingHeartbeat heartbeat) {
        acknowledged.incrementAndGet();
        answered();
        try {
            listener.acknowledged(heartbeat.producer(), heartbeat.seq());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "acknowledgement listener failed for producer " + heartbeat.producer(), e);
        }
    }

    private void reject(OutgoingHeartbeat heartbeat, PostOutcome.Rejected rejection) {
        rejected.incrementAndGet();
        answered();
        LOG.log(System.Logger.Level.WARNING, "producer {0}: {1} rejected heartbeat seq {2} with {3}: {4}",
                config.producerId(), assignment.worker(), String.valueOf(heartbeat.seq()), rejection.status(), rejection.message());
    }

    /** A worker answered: the run of failures is over. */
    private void answered() {
        retries.succeed();
        if (offline) {
            offline = false;
            LOG.log(System.Logger.Level.INFO, "producer {0} delivers again, to {1}", config.producerId(), assignment.worker());
        }
    }

    /** Counts a failed attempt; returns false, after saying so once, when the retries are used up. */
    private boolean failed(String why, Duration requestedPause) {
        failures.incrementAndGet();
        lastFailure = why;
        if (retries.fail(requestedPause)) {
            return true;
        }
        System.Logger.Level level = offline ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING;
        offline = true;
        LOG.log(level, "producer {0}: no worker took its heartbeats after {1} retries (last: {2}); {3} wait in the offline buffer",
                config.producerId(), config.maxRetries(), why, buffer.size());
        return false;
    }

    /** Acts on a failed post: which worker to ask for next, and how long to wait (null: the backoff's pause). */
    private Duration pauseAfter(PostOutcome outcome) {
        if (outcome instanceof PostOutcome.Overloaded o) {
            Duration wait = o.retryAfter();
            return wait == null ? null : (wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
        }
        if (outcome instanceof PostOutcome.Moved) {
            assignment.moved();
            return retries.fresh() ? Duration.ZERO : null;
        }
        LOG.log(System.Logger.Level.DEBUG, "producer {0}: worker failed ({1}); asking a balancer for another",
                config.producerId(), describe(outcome));
        assignment.workerFailed();
        return null;
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

    private void pause(long nanos) throws InterruptedException {
        if (nanos > 0) {
            closing.await(nanos, TimeUnit.NANOSECONDS);
        }
    }
}
