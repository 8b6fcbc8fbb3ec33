package io.tophat.bench;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import io.tophat.store.HeartbeatStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench ingest --retention}: {@link BenchOptions#RETENTION_BACKLOG} heartbeats older than the retention put
 * in the worker's store before the load, for the worker's own retention job to delete while the load runs.
 */
final class RetentionBacklog {
    private static final int BATCH = 10_000;

    private RetentionBacklog() {
    }

    static void preload(HeartbeatStore store, Duration retention, BenchReport report) {
        long old = System.currentTimeMillis() - retention.toMillis() - Duration.ofDays(1).toMillis();
        long start = System.nanoTime();
        List<Heartbeat> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BenchOptions.RETENTION_BACKLOG; i++) {
            batch.add(new Heartbeat("expired-" + (i % 10_000), Location.of(56.33, -2.80), "{\"old\":" + i + "}",
                    "10.0.0.7", old + i / 100, old + i / 100, (long) i));
            if (batch.size() == BATCH) {
                store.append(batch);
                batch = new ArrayList<>(BATCH);
            }
        }
        while (store.backlog() > 0) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        report.line(String.format(Locale.ROOT, "retention: %,d heartbeats older than %s stored and merged in %.1f s; "
                        + "the worker's retention job deletes them while the load runs", BenchOptions.RETENTION_BACKLOG,
                io.tophat.config.Durations.format(retention), (System.nanoTime() - start) / 1e9));
    }

    static long deleted(CompletableFuture<Long> expiring) {
        return expiring.isDone() && !expiring.isCompletedExceptionally() ? expiring.join() : 0;
    }

    static void report(CompletableFuture<Long> expiring, BenchReport report) {
        String state;
        try {
            long deleted = expiring.get(10, TimeUnit.MINUTES);
            state = String.format(Locale.ROOT, "deleted %,d of %,d expired heartbeats", deleted,
                    BenchOptions.RETENTION_BACKLOG);
            report.note("retention", Map.of("deleted", deleted, "backlog", BenchOptions.RETENTION_BACKLOG),
                    "retention: " + state + " (the pass ended after the load, or with it)");
        } catch (Exception e) {
            report.line("retention: the pass did not end: " + e.getMessage());
        }
    }
}
