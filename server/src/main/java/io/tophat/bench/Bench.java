package io.tophat.bench;

import io.tophat.http.VertxRuntime;
import io.tophat.store.HeartbeatStore;
import io.tophat.worker.WorkerConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * {@code tophat bench SCENARIO}: starts (or finds) the system, prepares its data, runs the load, runs the
 * same load against a reference in the same sitting, and reports both with their ratio and the target.
 */
public final class Bench implements AutoCloseable {
    private static final Duration PRELOAD_PATIENCE = Duration.ofMinutes(10);

    private final BenchOptions options;
    private final BenchReport report;
    private final Vertx helperRuntime;
    private final Preloader helper;
    /** wrk or ab, when one sends the load; null for the builtin generator. */
    private final ToolLoad tool;

    private Bench(BenchOptions options, BenchReport report) {
        this.options = options;
        this.report = report;
        this.tool = options.generator().external() ? new ToolLoad(options.generator(), redirects(options.scenario()))
                : null;
        this.helperRuntime = VertxRuntime.create(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        this.helper = new Preloader(helperRuntime);
    }

    /** Runs the scenario of {@code options}; text or JSON goes to {@code out}, commentary to {@code out} or {@code err}. */
    public static int run(BenchOptions options, PrintStream out, PrintStream err) {
        BenchReport report = new BenchReport(options, out, err);
        try (Bench bench = new Bench(options, report)) {
            bench.header();
            switch (options.scenario()) {
                case REDIRECT -> bench.redirect();
                case READ -> bench.read();
                case INGEST -> bench.ingest();
                case OSMAND -> bench.osmand();
                case SEED_TEST_1 -> new SeedTests(bench).first();
                case SEED_TEST_2 -> new SeedTests(bench).second();
                case MEMORY -> new MemoryBench(bench).run();
                case OVERLOAD -> new OverloadBench(bench).run();
                case EXPORT -> new ExportBench(bench).run();
                case NEAR -> new NearBench(bench).run();
                case STREAM -> new StreamBench(bench).run();
                case REGISTER -> new RegisterBench(bench).run();
            }
        }
        report.finish();
        return 0;
    }

    private void header() {
        report.line("TopHat bench: " + options.scenario().label() + " - " + options.scenario().description());
        report.line("machine: " + BenchReport.machine());
        if (tool != null) {
            String version = tool.version();
            report.put("generator_version", version);
            report.line("generator: " + version);
        }
    }

    /** Scenarios whose answers are redirects (302), which ab counts as non-2xx. */
    private static boolean redirects(Scenario scenario) {
        return scenario == Scenario.REDIRECT || scenario == Scenario.SEED_TEST_2;
    }

    // --- scenarios --------------------------------------------------------------------------------------

    private void redirect() {
        ProducerIds ids = ProducerIds.bench(options.producersOr(BenchOptions.DEFAULT_PRODUCERS));
        try (BenchSystem system = system("redirect", options.workersOr(3))) {
            URI balancer = system.balancer(options.scenario());
            preload(system, balancer, null, ids);
            LoadPlan plan = plan("redirect GET /get_data/{id}", balancer, RequestMix.get(ids.each("/get_data/%s"),
                    system.consumerKey()));
            RunFigures result = measure(plan);
            report.compare(plan.label(), result, reference(plan, balancer),
                    Goal.of(options.generator(), Goal.READ, Goal.REDIRECT_BY_TOOL));
        }
    }

    private void read() {
        ProducerIds ids = ProducerIds.bench(options.producersOr(BenchOptions.DEFAULT_PRODUCERS));
        try (BenchSystem system = system("read", options.workersOr(1))) {
            URI worker = system.worker(options.scenario());
            preload(system, null, worker, ids);
            LoadPlan seed = plan("read GET /get_data/{id}", worker, RequestMix.get(ids.each("/get_data/%s"),
                    system.consumerKey()));
            LoadPlan record = plan("read GET /api/v1/producers/{id}", worker,
                    RequestMix.get(ids.each("/api/v1/producers/%s"), system.consumerKey()));
            RunFigures seedResult = measure(seed);
            RunFigures recordResult = measure(record);
            RunFigures reference = reference(seed, worker);
            Goal goal = Goal.of(options.generator(), Goal.READ, Goal.READ_BY_TOOL);
            report.compare(seed.label(), seedResult, reference, goal);
            report.compare(record.label(), recordResult, reference, goal);
        }
    }

    /** Defines {@code count} 500 m areas around where the bench's producers are, and lets the balancer follow. */
    private void watchAreas(BenchSystem system, int count) {
        if (count == 0) {
            return;
        }
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (int i = 0; i < count; i++) {
            String body = String.format(Locale.ROOT, "{\"name\":\"bench-area-%d\",\"lat\":%.5f,\"lon\":%.5f,"
                    + "\"radius_m\":500}", i, 56.30 + (i % 10) * 0.01, -2.85 + (i / 10) * 0.01);
            try {
                java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                                system.balancer().resolve("/api/v1/areas")).header("Content-Type", "application/json")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 201 && r.statusCode() != 200) {
                    throw new IllegalStateException("defining an area answered " + r.statusCode() + " " + r.body());
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot define the bench's areas: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        report.line(count + " areas watched at the balancer: every stored heartbeat is streamed to it and judged");
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ingest() {
        ProducerIds ids = ProducerIds.bench(options.producersOr(BenchOptions.DEFAULT_PRODUCERS));
        java.time.Duration retention = options.system().retention();
        try (BenchSystem system = retention == null ? system("ingest", options.workersOr(1))
                : system("ingest", options.workersOr(1), c -> c.withRetention(retention),
                "durable ack, --retention " + io.tophat.config.Durations.format(retention))) {
            HeartbeatMix mix = new HeartbeatMix(ids, HeartbeatMix.seqBaseNow(), system.producerTokens());
            URI worker = system.worker(options.scenario());
            report.line(String.format(Locale.ROOT, "heartbeats: %d bytes each, %,d distinct producers, distinct seq",
                    mix.bodySize(), ids.count()));
            HeartbeatStore store = system.firstStore();
            java.util.concurrent.CompletableFuture<Long> expiring = null;
            if (retention != null && system.isEmbedded()) {
                RetentionBacklog.preload(store, retention, report);
                expiring = system.firstWorker().runRetention();
            }
            long storedBefore = store == null ? 0 : store.historySize();
            watchAreas(system, options.system().areas());
            LoadPlan plan = plan("ingest POST /heartbeat", worker, mix);
            RunFigures result;
            try (HistoryProbe probe = new HistoryProbe(helper, worker, ids).start()) {
                result = measure(plan);
                report.note("history_queries", probe.toJson(), probe.describe());
            }
            if (expiring != null) {
                RetentionBacklog.report(expiring, report);
                storedBefore -= RetentionBacklog.deleted(expiring);
            }
            if (store != null) {
                checkStored(store.historySize() - storedBefore, result.acknowledged());
            }
            report.compare(plan.label(), result, reference(plan, worker),
                    Goal.of(options.generator(), Goal.INGEST, Goal.INGEST_BY_TOOL));
        }
    }

    private void osmand() {
        ProducerIds ids = ProducerIds.bench(options.producersOr(BenchOptions.DEFAULT_PRODUCERS));
        try (BenchSystem system = system("osmand", options.workersOr(1))) {
            URI balancer = system.balancer(options.scenario());
            OsmAndMix mix = new OsmAndMix(ids, System.currentTimeMillis() - java.time.Duration.ofHours(1).toMillis());
            report.line(String.format(Locale.ROOT, "positions: %d-byte forms, %,d distinct producers, distinct "
                    + "timestamps; the balancer assigns each producer at its first position", mix.bodySize(), ids.count()));
            HeartbeatStore store = system.firstStore();
            long storedBefore = store == null ? 0 : store.historySize();
            LoadPlan plan = plan("osmand POST /osmand", balancer, mix);
            RunFigures result = measure(plan);
            if (store != null && system.workerCount() == 1) {
                checkStored(store.historySize() - storedBefore, result.acknowledged());
            }
            report.compare(plan.label(), result, reference(plan, balancer), Goal.NONE);
        }
    }

    /**
     * Durable ack: every heartbeat acknowledged (answered below 400 to the builtin generator, 2xx as wrk's
     * heartbeat script counts) must be in the store. True when it is.
     */
    boolean checkStored(long stored, long acknowledged) {
        report.note("stored_vs_acknowledged", java.util.Map.of("stored", stored, "acknowledged", acknowledged),
                String.format(Locale.ROOT, "durability: %,d heartbeats acknowledged (warmup included), %,d stored: %s",
                        acknowledged, stored, stored >= acknowledged ? "every acknowledged heartbeat is stored"
                                : "MISSING " + (acknowledged - stored)));
        return stored >= acknowledged;
    }

    // --- shared steps -----------------------------------------------------------------------------------

    /** The embedded system, or the running servers named on the command line. */
    BenchSystem system(String name, int workers) {
        return system(name, workers, c -> c, "durable ack");
    }

    /** As {@link #system(String, int)}; embedded workers are configured by {@code settings}, as {@code what} says. */
    BenchSystem system(String name, int workers, UnaryOperator<WorkerConfig> settings, String what) {
        if (!options.embedded()) {
            BenchSystem system = BenchSystem.external(options.balancer(), options.worker());
            report.put("system", system.describe());
            report.line("system: " + system.describe());
            return system;
        }
        long start = System.nanoTime();
        io.tophat.store.StoreTarget store = options.system().store();
        UnaryOperator<WorkerConfig> onStore = c -> settings.apply(c).withStore(store);
        BenchSystem system = BenchSystem.embedded(options.dataDir(), name, workers, onStore,
                store.isSqlite() ? what : what + ", store " + store, options.system().credentials());
        report.put("system", system.describe());
        report.line(String.format(Locale.ROOT, "system: %s (started in %.1f s)", system.describe(),
                (System.nanoTime() - start) / 1e9));
        return system;
    }

    /** Registers the producers (when a balancer is given) and sends each one heartbeat. */
    void preload(BenchSystem system, URI balancer, URI worker, ProducerIds ids) {
        long start = System.nanoTime();
        Preloader.await(helper.preload(balancer, worker, ids, new HeartbeatMix(ids, HeartbeatMix.seqBaseNow(),
                        system.producerTokens())),
                PRELOAD_PATIENCE);
        report.line(String.format(Locale.ROOT, "preloaded %,d producers (%sone heartbeat each) in %.1f s",
                ids.count(), balancer == null ? "" : "registered, ", (System.nanoTime() - start) / 1e9));
    }

    /**
     * A timed run with the options' connections, threads, keep-alive, rate, warmup and duration; with ab, which
     * sends a number of requests, a counted run of {@code --requests}.
     */
    LoadPlan plan(String label, URI target, RequestMix mix) {
        LoadPlan plan = new LoadPlan(label, target, mix, options.connectionsOr(BenchOptions.DEFAULT_CONNECTIONS),
                options.threads(), options.keepAliveOr(true), options.warmup(), options.runTime(), 0, options.rate(),
                options.timeout(), options.progress());
        return options.generator() == Generator.AB ? plan.withRequests(options.requests()) : plan;
    }

    /** Runs {@code plan} with the options' generator and prints its figures. */
    RunFigures measure(LoadPlan plan) {
        if (tool == null) {
            return measureBuiltin(plan);
        }
        ToolResult result = tool.run(plan, report.progress());
        report.measured(result);
        return result;
    }

    /** Runs {@code plan} with the builtin generator, for the scenarios that read what only it measures. */
    LoadResult measureBuiltin(LoadPlan plan) {
        report.line(plan.label() + ": " + plan.target() + plan.mix().uri(0) + BenchReport.describeShape(plan)
                + (plan.warmup().isZero() ? "" : ", after " + plan.warmup().toSeconds() + " s of warmup"));
        LoadResult result = LoadGenerator.run(plan, report.progress());
        report.measured(result);
        return result;
    }

    /**
     * The same load against the reference: {@code --reference URL} (same method and body as the plan), else
     * {@code GET /health} of {@code server}. Null with {@code --skip-reference}.
     */
    RunFigures reference(LoadPlan plan, URI server) {
        if (options.skipReference()) {
            return null;
        }
        LoadPlan ref;
        if (options.reference() != null) {
            URI r = options.reference();
            String path = (r.getRawPath() == null || r.getRawPath().isEmpty() ? "/" : r.getRawPath())
                    + (r.getRawQuery() == null ? "" : "?" + r.getRawQuery());
            ref = plan.withTarget("reference " + r, URI.create(r.getScheme() + "://" + r.getHost() + ":" + r.getPort()),
                    RequestMix.sameShapeTo(plan.mix(), path));
        } else {
            ref = plan.withTarget("reference GET /health", server, RequestMix.get("/health"));
        }
        return measure(ref);
    }

    BenchOptions options() {
        return options;
    }

    BenchReport report() {
        return report;
    }

    Preloader helper() {
        return helper;
    }

    @Override
    public void close() {
        if (tool != null) {
            tool.close();
        }
        try {
            // Closed one after the other from this thread: a runtime closed from its own event loop (as in
            // helper.close().eventually(helperRuntime::close)) never completes the future, a 10 s wait per run.
            Preloader.await(helper.close(), Duration.ofSeconds(10));
            Preloader.await(helperRuntime.close(), Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            // the report is complete; a slow close of the helper runtime changes nothing
        }
    }
}
