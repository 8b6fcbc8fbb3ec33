package io.tophat.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.store.HeartbeatStore;
import io.tophat.store.SqliteStoreConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code bench overload}: heartbeats offered far above what a worker's deliberately slow store can write (one
 * heartbeat per commit, {@code synchronous=FULL}, a write queue of 64), closed loop on many connections. Checks
 * the target of issue 3: the bounded queue fills and ingest answers 503 with Retry-After, the heap stays flat,
 * every acknowledged heartbeat is stored, and the worker answers 200 as soon as the load stops.
 */
final class OverloadBench {
    static final int QUEUE_CAPACITY = 64;
    static final int MAX_BATCH = 1;
    static final Duration RECOVERY_TARGET = Duration.ofSeconds(1);
    private static final Duration RECOVERY_PATIENCE = Duration.ofSeconds(10);
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);
    private static final String SLOW_STORE = "a deliberately slow store: one heartbeat per commit (--max-batch "
            + MAX_BATCH + "), --sync full, --queue-capacity " + QUEUE_CAPACITY;

    /** The first heartbeat after the load: its status (0 if none came), how long until a 200, and how many tries. */
    record Recovery(int status, double millis, int attempts) {
        boolean ok() {
            return status == 200 && millis <= RECOVERY_TARGET.toMillis();
        }

        Map<String, Object> toJson() {
            return Map.of("status", status, "ms", LoadResult.round(millis), "attempts", attempts,
                    "max_ms", RECOVERY_TARGET.toMillis());
        }
    }

    private final Bench bench;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    OverloadBench(Bench bench) {
        this.bench = bench;
    }

    void run() {
        BenchOptions options = bench.options();
        BenchReport report = bench.report();
        ProducerIds ids = ProducerIds.bench(options.producersOr(BenchOptions.DEFAULT_PRODUCERS));
        HeartbeatMix mix = new HeartbeatMix(ids, HeartbeatMix.seqBaseNow());
        try (BenchSystem system = bench.system("overload", options.workersOr(1),
                c -> c.withIngest(i -> i.withWriter(QUEUE_CAPACITY, MAX_BATCH)).withSynchronous(SqliteStoreConfig.Synchronous.FULL),
                "durable ack, " + SLOW_STORE)) {
            URI worker = system.worker(options.scenario());
            if (!system.isEmbedded()) {
                report.line("the running worker must be slow enough to overload, for example started with "
                        + "--max-batch 1 --sync full --queue-capacity 64");
            }
            get(worker.resolve("/health"));
            report.line(String.format(Locale.ROOT, "heartbeats: %d bytes each, %,d distinct producers, distinct seq",
                    mix.bodySize(), ids.count()));
            report.line(system.isEmbedded()
                    ? "heap: every second of the measured part, this process's used heap right after a full GC "
                    + "(System.gc()); it holds the worker, the balancer and the load generator"
                    : "heap: every second of the measured part, heap_used_bytes of the worker's /api/v1/status "
                    + "(garbage included: no GC is forced)");
            HeartbeatStore store = system.firstStore();
            long storedBefore = store == null ? 0 : store.historySize();
            LoadPlan plan = bench.plan("overload POST /heartbeat", worker, mix);
            LoadResult result;
            HeapTrend heap;
            try (HeapSampler sampler = HeapSampler.start(system.isEmbedded() ? HeapSampler::liveHeap : statusHeap(worker),
                    plan.warmup(), SAMPLE_EVERY, (int) Math.max(1, plan.duration().toSeconds()))) {
                result = bench.measureBuiltin(plan);
                heap = sampler.stop();
            }
            Recovery recovery = recover(worker, ids);
            report.note("heap", heap.toJson(), "heap: " + heap.describe());
            report.note("recovery", recovery.toJson(), String.format(Locale.ROOT, "recovery: the first heartbeat "
                    + "after the load was answered %d in %.1f ms (%d attempt%s)", recovery.status(), recovery.millis(),
                    recovery.attempts(), recovery.attempts() == 1 ? "" : "s"));
            Boolean stored = null;
            if (store != null) {
                long acknowledged = result.acknowledged() + (recovery.status() == 200 ? 1 : 0);
                stored = bench.checkStored(store.historySize() - storedBefore, acknowledged);
            }
            report.checked(plan.label(), result.toJson(), checks(result, heap, stored, recovery));
        }
    }

    private static List<Check> checks(LoadResult r, HeapTrend heap, Boolean stored, Recovery recovery) {
        long shed = r.statuses().getOrDefault(503, 0L);
        long otherFailures = r.failed() - shed;
        List<Check> checks = new ArrayList<>();
        checks.add(new Check(shed > 0 && r.unavailableWithoutRetryAfter() == 0, String.format(Locale.ROOT,
                "when the store falls behind, ingest answers 503 + Retry-After: %,d x 503 (%s), %,d x 200", shed,
                shed == 0 ? "no load shed: the store kept up" : r.unavailableWithoutRetryAfter() == 0
                        ? "every one with Retry-After" : r.unavailableWithoutRetryAfter() + " without Retry-After",
                r.statuses().getOrDefault(200, 0L))));
        checks.add(new Check(otherFailures == 0, "no failure but 503: " + (otherFailures == 0 ? "none"
                : otherFailures + " (" + r.errorSummary() + ")")));
        if (heap.flat() != null) {
            checks.add(new Check(heap.flat(), String.format(Locale.ROOT, "memory stays flat: largest heap sample of "
                            + "the second half %.1f MB, of the first half %.1f MB (allowed: %.1f MB more)",
                    HeapTrend.mb(heap.secondHalfMax()), HeapTrend.mb(heap.firstHalfMax()), HeapTrend.mb(heap.margin()))));
        }
        if (stored != null) {
            checks.add(new Check(stored, "every acknowledged heartbeat is stored"));
        }
        checks.add(new Check(recovery.ok(), String.format(Locale.ROOT, "answers 200 at once when the load stops "
                + "(within %,d ms): %s", RECOVERY_TARGET.toMillis(), recovery.status() == 200
                ? String.format(Locale.ROOT, "%.1f ms", recovery.millis())
                : "no 200 in " + RECOVERY_PATIENCE.toSeconds() + " s")));
        return checks;
    }

    /** Right after the load generator has closed its connections: one new heartbeat, tried again on 503 every 50 ms. */
    private Recovery recover(URI worker, ProducerIds ids) {
        byte[] body = new HeartbeatMix(ids, HeartbeatMix.seqBaseNow()).bodyFor(0);
        HttpRequest request = HttpRequest.newBuilder(worker.resolve("/heartbeat")).timeout(RECOVERY_PATIENCE)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long start = System.nanoTime();
        long deadline = start + RECOVERY_PATIENCE.toNanos();
        int attempts = 0;
        int status = 0;
        while (System.nanoTime() < deadline) {
            attempts++;
            try {
                status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                status = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (status != 503 && status != 0) {
                break;
            }
            sleep(50);
        }
        return new Recovery(status, (System.nanoTime() - start) / 1e6, attempts);
    }

    /** The worker's own {@code heap_used_bytes}, for a worker in another process. */
    private LongSupplier statusHeap(URI worker) {
        ObjectMapper json = new ObjectMapper();
        URI status = worker.resolve("/api/v1/status");
        return () -> {
            try {
                return json.readTree(get(status)).path("heap_used_bytes").asLong();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private String get(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
