package io.tophat.bench;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import io.tophat.store.HeartbeatStore;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code bench export}: one producer with N heartbeats (1,000,000 by default) in an embedded worker's store, then
 * its whole history exported through the balancer as NDJSON and as CSV, read to the end by a streaming client.
 * Reports rows/s and the peak of this process's live heap during each export (it holds the worker, the balancer
 * and the reader), which must not grow with the export: at most {@value #HEAP_MARGIN_MB} MB above the heap
 * before it.
 */
final class ExportBench {
    static final int DEFAULT_ROWS = 1_000_000;
    static final long HEAP_MARGIN_MB = 64;
    private static final String PRODUCER = "export-bench";
    private static final int PRELOAD_BATCH = 10_000;

    private final Bench bench;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ExportBench(Bench bench) {
        this.bench = bench;
    }

    void run() {
        BenchOptions options = bench.options();
        BenchReport report = bench.report();
        if (!options.embedded()) {
            throw new IllegalArgumentException("export preloads an embedded worker's store; it takes no --balancer or --worker");
        }
        int rows = options.producersOr(DEFAULT_ROWS);
        try (BenchSystem system = bench.system("export", 1)) {
            HeartbeatStore store = system.firstStore();
            URI balancer = system.balancer();
            register(balancer.resolve("/register/" + PRODUCER));
            long start = System.nanoTime();
            preload(store, rows);
            report.line(String.format(Locale.ROOT, "preloaded %,d heartbeats of one producer in %.1f s (store.append, "
                    + "batches of %,d)", rows, (System.nanoTime() - start) / 1e9, PRELOAD_BATCH));
            for (String format : List.of("ndjson", "csv")) {
                URI uri = balancer.resolve("/api/v1/producers/" + PRODUCER + "/history?order=asc&format=" + format);
                long before = HeapSampler.settledLiveHeap();
                Export result;
                HeapTrend heap;
                try (HeapSampler sampler = HeapSampler.start(HeapSampler::liveHeap, Duration.ofMillis(500),
                        Duration.ofMillis(500), 100_000)) {
                    result = export(uri);
                    heap = sampler.stop();
                }
                long peak = heap.samples().stream().mapToLong(Long::longValue).max().orElse(before);
                double seconds = result.nanos() / 1e9;
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("format", format);
                json.put("rows", result.lines() - (format.equals("csv") ? 1 : 0));
                json.put("bytes", result.bytes());
                json.put("seconds", LoadResult.round(seconds));
                json.put("rows_per_s", Math.round((result.lines() - (format.equals("csv") ? 1 : 0)) / seconds));
                json.put("heap_before_mb", LoadResult.round(HeapTrend.mb(before)));
                json.put("heap_peak_mb", LoadResult.round(HeapTrend.mb(peak)));
                json.put("heap_samples", heap.samples().size());
                long expectedLines = rows + (format.equals("csv") ? 1 : 0);
                report.checked(String.format(Locale.ROOT, "export %s: %,d rows, %.1f MB in %.1f s, %,d rows/s; live heap "
                                + "%.1f MB before, at most %.1f MB during (%d samples)", format, rows,
                        result.bytes() / 1e6, seconds, Math.round(rows / seconds), HeapTrend.mb(before),
                        HeapTrend.mb(peak), heap.samples().size()), json,
                        List.of(new Check(result.lines() == expectedLines, "every row exported: " + result.lines()
                                        + " lines for " + expectedLines),
                                new Check(peak - before <= HEAP_MARGIN_MB * 1_000_000, String.format(Locale.ROOT,
                                        "constant memory: the peak at most %d MB above the heap before (%.1f MB above)",
                                        HEAP_MARGIN_MB, HeapTrend.mb(peak - before)))));
            }
        }
    }

    private static void preload(HeartbeatStore store, int rows) {
        long t0 = System.currentTimeMillis() - rows;
        List<Heartbeat> batch = new ArrayList<>(PRELOAD_BATCH);
        for (int i = 0; i < rows; i++) {
            Location at = new Location(56.32 + (i % 1000) * 1e-5, -2.8 + (i % 777) * 1e-5, null, 5.0, 1.2, null, null, null);
            batch.add(new Heartbeat(PRODUCER, at, "{\"temperature\":21.5,\"battery\":" + (i % 100) + ",\"steps\":" + i + "}",
                    "10.0.0.7", t0 + i, t0 + i, (long) i));
            if (batch.size() == PRELOAD_BATCH) {
                store.append(batch);
                batch = new ArrayList<>(PRELOAD_BATCH);
            }
        }
        if (!batch.isEmpty()) {
            store.append(batch);
        }
    }

    /** The producer registers, so that the balancer knows which store holds it. */
    private void register(URI uri) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(uri + " answered " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot register at " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private record Export(long lines, long bytes, long nanos) {
    }

    private Export export(URI uri) {
        long start = System.nanoTime();
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() == 307) {
                URI to = uri.resolve(r.headers().firstValue("location").orElseThrow());
                r.body().close();
                r = http.send(HttpRequest.newBuilder(to).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            }
            if (r.statusCode() != 200) {
                throw new IllegalStateException(uri + " answered " + r.statusCode());
            }
            long lines = 0;
            long bytes = 0;
            byte[] chunk = new byte[64 * 1024];
            try (InputStream in = r.body()) {
                for (int n; (n = in.read(chunk)) > 0; ) {
                    bytes += n;
                    for (int i = 0; i < n; i++) {
                        if (chunk[i] == '\n') {
                            lines++;
                        }
                    }
                }
            }
            return new Export(lines, bytes, System.nanoTime() - start);
        } catch (IOException e) {
            throw new IllegalStateException("export from " + uri + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
