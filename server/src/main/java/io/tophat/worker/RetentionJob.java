package io.tophat.worker;

import io.tophat.store.HeartbeatStore;
import io.tophat.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code --retention}: every {@value #EVERY_SECONDS} s, deletes heartbeats whose time is older than the retention
 * in transactions of {@value #BATCH} rows with a pause between them, so ingest never waits long for the store;
 * the latest records older than that go too. One line per run that deleted anything.
 */
final class RetentionJob implements AutoCloseable {
    static final int BATCH = 1000;
    static final long EVERY_SECONDS = 60;
    private static final long PAUSE_MILLIS = 20;
    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

    private final HeartbeatStore store;
    private final Duration retention;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tophat-retention");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    RetentionJob(HeartbeatStore store, Duration retention) {
        this.store = store;
        this.retention = retention;
    }

    void start() {
        thread.scheduleWithFixedDelay(this::runOnce, 0, EVERY_SECONDS, TimeUnit.SECONDS);
    }

    /** One pass on the job's thread, now. */
    java.util.concurrent.CompletableFuture<Long> runSoon() {
        return java.util.concurrent.CompletableFuture.supplyAsync(this::runOnce, thread);
    }

    /** One pass: deletes everything older than the retention, a batch at a time; returns the heartbeats deleted. */
    long runOnce() {
        long cutoff = System.currentTimeMillis() - retention.toMillis();
        long total = 0;
        try {
            boolean first = true;
            while (!closed) {
                long deleted = store.expire(cutoff, BATCH, first);
                first = false;
                total += deleted;
                if (deleted < BATCH) {
                    break;
                }
                Thread.sleep(PAUSE_MILLIS);
            }
            if (total > 0) {
                LOG.info("retention: deleted {} heartbeats older than {}", total, java.time.Instant.ofEpochMilli(cutoff));
            }
        } catch (StoreException e) {
            LOG.warn("retention: cannot delete old heartbeats now ({}); trying again in {} s", e.getMessage(), EVERY_SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return total;
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
