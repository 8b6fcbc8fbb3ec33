package io.tophat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.tophat.http.Responses;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench register}: the balancer's scale. A balancer and workers run as their own processes (SQLite state,
 * the default durable group commit); wrk registers {@code --producers} new producers (1,000,000 by default) in runs
 * of {@link RegistrationMix} until that many were answered 200, each answer after the assignment was written. Then
 * the balancer's live heap, a SIGKILL, and the time until a new balancer process on the same state answers a
 * registered producer's redirect (302) again, with every acknowledged registration still there.
 */
final class RegisterBench {
    static final int DEFAULT_PRODUCERS = 1_000_000;
    static final Duration RESTART_TARGET = Duration.ofSeconds(5);
    private static final Duration RUN = Duration.ofSeconds(10);
    private static final Duration START_PATIENCE = Duration.ofMinutes(2);
    private static final String PROBE = "bench-register-probe";
    private static final Pattern READ_IN = Pattern.compile("producers remembered from .* in (\\d+) ms");

    private final Bench bench;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    RegisterBench(Bench bench) {
        this.bench = bench;
    }

    void run() {
        BenchOptions options = bench.options();
        if (!options.embedded()) {
            throw new IllegalArgumentException("register starts, kills and restarts its own balancer; it takes no "
                    + "--balancer or --worker");
        }
        int producers = options.producersOr(DEFAULT_PRODUCERS);
        Path folder = folder(options.dataDir());
        List<ServerProcess> workers = new ArrayList<>();
        ServerProcess balancer = null;
        try {
            balancer = startBalancer(folder, 0);
            URI url = balancer.awaitBalancer(START_PATIENCE);
            for (int i = 1; i <= options.workersOr(3); i++) {
                ServerProcess w = ServerProcess.start("worker " + i, folder.resolve("worker" + i + ".log"),
                        List.of("worker", "--auth", "none", "--producer-rate", "0", "--host", "127.0.0.1", "--port",
                                "0", "--balancer", url.getHost() + ":" + url.getPort(),
                                "--data-dir", folder.resolve("w" + i).toString()));
                workers.add(w);
                w.awaitWorker(START_PATIENCE);
            }
            String probeWorker = register(url, PROBE);
            bench.report().line(String.format(Locale.ROOT, "a balancer and %d workers as processes (state and stores "
                    + "in %s); wrk registers %,d new producers, each answer after its assignment is written",
                    workers.size(), folder, producers));
            long cpuBefore = ChildCpu.ofProcess(balancer.pid());
            Registrations done = registerAll(url, producers);
            long cpuAfter = ChildCpu.ofProcess(balancer.pid());
            double cpuMicros = cpuBefore < 0 || cpuAfter < 0 ? -1
                    : (cpuAfter - cpuBefore) / 1e3 / Math.max(1, done.acknowledged());
            long held = heldProducers(url);
            OptionalLong heap = LiveHeap.of(balancer.pid());
            balancer.kill();
            long killedAt = System.nanoTime();
            balancer = startBalancer(folder, url.getPort());
            long backMillis = awaitRedirect(url, probeWorker, balancer, killedAt);
            long readMillis = readMillis(balancer);
            long heldAfter = heldProducers(url);
            OptionalLong heapAfter = LiveHeap.of(balancer.pid());
            report(producers, done, cpuMicros, held, heldAfter, heap, heapAfter, backMillis, readMillis);
        } finally {
            for (ServerProcess w : workers) {
                w.close();
            }
            if (balancer != null) {
                balancer.close();
            }
            if (options.dataDir() == null) {
                TemporaryFolders.delete(folder);
            }
        }
    }

    /**
     * The figures of the wrk runs together. The rate counts only the runs that lasted their whole length: a run
     * whose threads stopped at the count still reports wrk's whole -d (wrk's clock does not stop with them).
     */
    private record Registrations(long acknowledged, long fullRunsAcknowledged, double fullRunsSeconds,
                                 double worstP99, long failed, int runs) {
        /** Registrations per second over the full runs; NaN when every run reached the count before its end. */
        double perSecond() {
            return fullRunsSeconds > 0 ? fullRunsAcknowledged / fullRunsSeconds : Double.NaN;
        }
    }

    /**
     * wrk runs of {@link RegistrationMix} of {@link #RUN} each until {@code producers} were answered 200: each
     * run's threads stop once they have had the answers still wanted, so the last run ends at the count.
     */
    private Registrations registerAll(URI balancer, int producers) {
        long acknowledged = 0;
        long fullAcknowledged = 0;
        double fullSeconds = 0;
        double worstP99 = 0;
        long failed = 0;
        int run = 0;
        int threads = bench.options().threads();
        while (acknowledged < producers) {
            run++;
            long wanted = producers - acknowledged;
            long perThread = (wanted + threads - 1) / threads;
            LoadPlan plan = bench.plan("register run " + run + " GET /register/{new id}", balancer,
                    new RegistrationMix(run * RegistrationMix.IDS_PER_RUN, perThread)).withWarmup(Duration.ZERO)
                    .withDuration(RUN);
            RunFigures r = bench.measure(plan);
            if (r.acknowledged() == 0) {
                throw new IllegalStateException("no registration was answered 200 in run " + run);
            }
            acknowledged += r.acknowledged();
            failed += r.failed();
            worstP99 = Math.max(worstP99, r.p99Millis());
            if (r.answers() < perThread * threads) {
                fullAcknowledged += r.acknowledged();
                fullSeconds += r.elapsed().toNanos() / 1e9;
            }
        }
        return new Registrations(acknowledged, fullAcknowledged, fullSeconds, worstP99, failed, run);
    }

    private ServerProcess startBalancer(Path folder, int port) {
        return ServerProcess.start("balancer", folder.resolve("balancer.log"), List.of("balancer", "--auth", "none",
                "--producer-rate", "0", "--host", "127.0.0.1", "--port", Integer.toString(port),
                "--data-dir", folder.resolve("balancer").toString()));
    }

    /** Registers {@code id} once the workers are there; returns the worker's URL. */
    private String register(URI balancer, String id) {
        long deadline = System.nanoTime() + START_PATIENCE.toNanos();
        while (true) {
            HttpResponse<String> r = get(balancer.resolve("/register/" + id));
            if (r != null && r.statusCode() == 200) {
                return r.body().trim();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the balancer did not register " + id + ": "
                        + (r == null ? "no answer" : r.statusCode() + " " + r.body()));
            }
            ServerProcess.pause(100);
        }
    }

    /** Milliseconds from the kill until the new balancer redirects the probe to its worker. */
    private long awaitRedirect(URI balancer, String probeWorker, ServerProcess restarted, long killedAt) {
        long deadline = System.nanoTime() + START_PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = get(balancer.resolve("/get_data/" + PROBE));
            if (r != null && r.statusCode() == 302) {
                long millis = (System.nanoTime() - killedAt) / 1_000_000;
                String location = r.headers().firstValue("Location").orElse("");
                if (!location.startsWith(probeWorker)) {
                    throw new IllegalStateException("after the restart the probe went to " + location + ", not "
                            + probeWorker);
                }
                return millis;
            }
            ServerProcess.pause(10);
        }
        throw new IllegalStateException("the restarted balancer did not redirect within " + START_PATIENCE.toSeconds()
                + " s:\n" + restarted.output());
    }

    /** How long the restarted balancer took to read its state, as it logs it; -1 if it did not say. */
    private static long readMillis(ServerProcess balancer) {
        Matcher m = READ_IN.matcher(balancer.output());
        long last = -1;
        while (m.find()) {
            last = Long.parseLong(m.group(1));
        }
        return last;
    }

    /** The producers the balancer holds, from its cluster view. */
    private long heldProducers(URI balancer) {
        HttpResponse<String> r = get(balancer.resolve("/api/v1/cluster"));
        if (r == null || r.statusCode() != 200) {
            throw new IllegalStateException("the cluster view answered " + (r == null ? "nothing" : r.statusCode()));
        }
        try {
            JsonNode view = Responses.MAPPER.readTree(r.body());
            return view.path("producers").asLong(-1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> get(URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void report(int producers, Registrations done, double cpuMicros, long held, long heldAfter, OptionalLong heap,
                        OptionalLong heapAfter, long backMillis, long readMillis) {
        long expected = done.acknowledged() + 1; // and the probe
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("producers", producers);
        json.put("registered", done.acknowledged());
        json.put("registrations_per_second", done.perSecond());
        json.put("rate_from_seconds", done.fullRunsSeconds());
        json.put("wrk_runs", done.runs());
        json.put("worst_p99_ms", done.worstP99());
        json.put("failed", done.failed());
        json.put("balancer_cpu_us_per_registration", cpuMicros);
        json.put("held_before_kill", held);
        json.put("held_after_restart", heldAfter);
        heap.ifPresent(h -> json.put("live_heap_bytes", h));
        heapAfter.ifPresent(h -> json.put("live_heap_after_restart_bytes", h));
        json.put("restart_to_redirect_ms", backMillis);
        json.put("state_read_ms", readMillis);
        List<Check> checks = new ArrayList<>();
        checks.add(new Check(heldAfter >= expected, String.format(Locale.ROOT, "every acknowledged registration "
                + "kept through a SIGKILL: %,d acknowledged (and the probe), %,d held before the kill, %,d after the "
                + "restart", done.acknowledged(), held, heldAfter)));
        checks.add(new Check(backMillis <= RESTART_TARGET.toMillis(), String.format(Locale.ROOT, "back and "
                + "redirecting within %d s of the kill: %,d ms (the state read in %,d ms)", RESTART_TARGET.toSeconds(),
                backMillis, readMillis)));
        String heapText = heap.isPresent() ? String.format(Locale.ROOT, "live heap %.1f MB (%d bytes a producer), "
                        + "%.1f MB after the restart", heap.getAsLong() / 1e6, heap.getAsLong() / Math.max(1, held),
                heapAfter.orElse(0) / 1e6) : "live heap not measured (no jcmd beside this java)";
        String rate = Double.isNaN(done.perSecond()) ? "registrations/s not measured (every run reached the count "
                + "before its end)" : String.format(Locale.ROOT, "%,.0f registrations/s durable over the %.0f s of "
                + "full runs", done.perSecond(), done.fullRunsSeconds());
        bench.report().checked(String.format(Locale.ROOT, "register: %,d producers, %s (%d wrk runs, worst p99 %.1f "
                        + "ms, %,d failed), %.1f µs of the balancer's CPU each; %s", done.acknowledged(), rate,
                done.runs(), done.worstP99(), done.failed(), cpuMicros, heapText), json, checks);
    }

    private static Path folder(Path dataDir) {
        try {
            return dataDir == null ? Files.createTempDirectory("tophat-bench-register-")
                    : Files.createDirectories(dataDir.resolve("register"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the bench's folder: " + e.getMessage(), e);
        }
    }
}
