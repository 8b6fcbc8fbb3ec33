package io.tophat.bench;

import io.vertx.core.http.HttpMethod;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * While ingest runs, asks the worker once a second for a random producer's history of the last minute
 * ({@code GET /api/v1/producers/{id}/history?from=&to=&limit=100}): history must stay queryable under load.
 */
final class HistoryProbe implements AutoCloseable {
    private static final long EVERY_MS = 1000;

    private final Preloader http;
    private final URI worker;
    private final ProducerIds producers;
    private final SplittableRandom random = new SplittableRandom(42);
    private final Histogram latencyMicros = new Histogram(1, LoopCounters.HIGHEST_MICROS, 3);
    private long timer = -1;
    private long probes;
    private long ok;
    private long withRows;
    private String lastFailure;

    HistoryProbe(Preloader http, URI worker, ProducerIds producers) {
        this.http = http;
        this.worker = worker;
        this.producers = producers;
    }

    /** Starts probing every second, on the helper runtime's event loop. */
    HistoryProbe start() {
        timer = http.vertx().setPeriodic(EVERY_MS, id -> probe());
        return this;
    }

    private void probe() {
        long now = System.currentTimeMillis();
        String uri = worker + "/api/v1/producers/" + producers.idText(random.nextInt(producers.count()))
                + "/history?from=" + (now - 60_000) + "&to=" + (now + 1000) + "&limit=100";
        long start = System.nanoTime();
        http.call(HttpMethod.GET, uri, null, "history query").onComplete(ar -> {
            synchronized (this) {
                probes++;
                latencyMicros.recordValue(Math.min(LoopCounters.HIGHEST_MICROS, (System.nanoTime() - start) / 1000));
                if (ar.succeeded()) {
                    ok++;
                    if (ar.result().contains("\"received_at\"")) {
                        withRows++;
                    }
                } else {
                    lastFailure = ar.cause().getMessage();
                }
            }
        });
    }

    @Override
    public void close() {
        if (timer >= 0) {
            http.vertx().cancelTimer(timer);
        }
    }

    synchronized String describe() {
        return String.format(Locale.ROOT, "history queries during the run: %d, answered %d (%d with rows), "
                        + "p50 %.2f ms, max %.2f ms%s", probes, ok, withRows, latencyMicros.getValueAtPercentile(50) / 1000.0,
                latencyMicros.getMaxValue() / 1000.0, lastFailure == null ? "" : "; last failure: " + lastFailure);
    }

    synchronized Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queries", probes);
        m.put("answered", ok);
        m.put("with_rows", withRows);
        m.put("p50_ms", latencyMicros.getValueAtPercentile(50) / 1000.0);
        m.put("max_ms", latencyMicros.getMaxValue() / 1000.0);
        m.put("last_failure", lastFailure);
        return m;
    }
}
