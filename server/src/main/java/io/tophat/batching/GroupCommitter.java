package io.tophat.batching;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Write-behind with group commit: a bounded queue of items and one named thread that takes everything
 * queued (up to {@code maxBatch}), hands it to the sink in one call (one transaction), then reports the
 * outcome of the whole batch to the completion callback. Under light load a single item is written at once;
 * under heavy load batches grow. With {@code minBatch > 1} the thread instead waits until that many items
 * are pending or the oldest has waited {@code linger} (the report's flush policy).
 *
 * <p>{@link #offer} never blocks: when the queue is full it returns false and the caller sheds load.
 */
public final class GroupCommitter<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    /** Writes one batch durably, or throws. */
    @FunctionalInterface
    public interface Sink<T> {
        void write(List<T> batch) throws Exception;
    }

    /** Told the outcome of each batch: {@code failure} is null when it was written. Runs on the writer thread. */
    @FunctionalInterface
    public interface Completion<T> {
        void completed(List<T> batch, Throwable failure);
    }

    public record Policy(int capacity, int maxBatch, int minBatch, Duration linger) {
        public Policy {
            if (capacity < 1 || maxBatch < 1 || minBatch < 1 || minBatch > capacity) {
                throw new IllegalArgumentException("need capacity >= 1, maxBatch >= 1, 1 <= minBatch <= capacity");
            }
        }

        /** Write whatever is queued as soon as the writer is free. */
        public static Policy immediate(int capacity, int maxBatch) {
            return new Policy(capacity, maxBatch, 1, Duration.ZERO);
        }
    }

    private final ArrayBlockingQueue<T> queue;
    private final Policy policy;
    private final Sink<T> sink;
    private final Completion<T> completion;
    private final Thread thread;
    private volatile boolean closing;
    private volatile boolean flushRequested;
    private long batches;
    private long written;
    /** Batches failed since the last one written (writer thread only). */
    private long failedInRun;

    public GroupCommitter(String name, Policy policy, Sink<T> sink, Completion<T> completion) {
        this.queue = new ArrayBlockingQueue<>(policy.capacity());
        this.policy = policy;
        this.sink = sink;
        this.completion = completion;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(false);
        this.thread.start();
    }

    /** Queues an item; false when the queue is full or the writer is closing. */
    public boolean offer(T item) {
        return !closing && queue.offer(item);
    }

    /** Items waiting to be written. */
    public int depth() {
        return queue.size();
    }

    public int capacity() {
        return policy.capacity();
    }

    /** Asks the writer to write what is pending now, without waiting for {@code minBatch} or linger. */
    public void flushSoon() {
        flushRequested = true;
    }

    private void run() {
        List<T> batch = new ArrayList<>(Math.min(policy.maxBatch(), 16_384));
        while (true) {
            T first = poll(closing ? 0 : 100_000_000L);
            if (first == null) {
                if (closing && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, policy.maxBatch() - batch.size());
            if (policy.minBatch() > 1) {
                linger(batch);
            }
            writeBatch(batch);
            batch.clear();
        }
    }

    /** Waits until {@code minBatch} items are pending, the linger time is over, or a flush is asked for. */
    private void linger(List<T> batch) {
        long deadline = System.nanoTime() + policy.linger().toNanos();
        while (batch.size() < policy.minBatch() && !closing && !flushRequested) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            T next = poll(Math.min(left, 50_000_000L));
            if (next != null) {
                batch.add(next);
                queue.drainTo(batch, policy.maxBatch() - batch.size());
            }
        }
        flushRequested = false;
    }

    private T poll(long nanos) {
        try {
            return queue.poll(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            // Nobody interrupts the writer; keep going so that queued items are still written.
            return null;
        }
    }

    /**
     * Writes one batch. A run of failures is logged once, at WARN, when it starts, and once at INFO when a batch is
     * written again: a failing disk must not write a log line per request. The sink's own failures say what
     * failed and where.
     */
    private void writeBatch(List<T> batch) {
        Throwable failure = null;
        try {
            sink.write(batch);
            batches++;
            written += batch.size();
            if (failedInRun > 0) {
                LOG.info("{}: batches are written again, after {} failed", thread.getName(), failedInRun);
                failedInRun = 0;
            }
        } catch (Exception e) {
            failure = e;
            if (failedInRun++ == 0) {
                LOG.warn("{}: a batch of {} could not be written ({}); failures that follow are logged at debug level "
                        + "until a batch is written again",
                        thread.getName(), batch.size(), e.getMessage());
            } else {
                LOG.debug("{}: a batch of {} could not be written: {}", thread.getName(), batch.size(), e.getMessage());
            }
        }
        try {
            completion.completed(batch, failure);
        } catch (RuntimeException e) {
            LOG.error("{}: completing a batch failed", thread.getName(), e);
        }
    }

    /** Stops taking items, writes everything already queued, and waits for the writer thread to end. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.debug("{} stopped after {} batches, {} items", thread.getName(), batches, written);
    }
}
