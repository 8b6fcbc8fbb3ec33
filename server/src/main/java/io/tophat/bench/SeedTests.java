package io.tophat.bench;

import io.tophat.simulator.ConsumerFleet;
import io.tophat.simulator.ConsumerFleetConfig;
import io.tophat.simulator.ConsumerFleetStats;
import io.tophat.simulator.ProducerFleet;
import io.tophat.simulator.ProducerFleetConfig;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's two timing tests. Test 1: 20 simulated producers and 5 simulated consumers (the report's
 * run_producers.sh and run_consumers.sh) on 1 balancer with 3 workers, then with 1 worker; the time per
 * consumer request (balancer redirect plus worker read). Test 2: {@code ab -n 3000 -c 500} on the balancer's
 * {@code /get_data/{id}} while 20 producers and 10 consumers run, without and with keep-alive.
 */
final class SeedTests {
    /** What the report measured. */
    static final double REPORT_TEST_1_THREE_WORKERS_S = 0.02;
    static final double REPORT_TEST_1_ONE_WORKER_S = 0.06;
    static final double REPORT_TEST_2_MS_PER_REQUEST = 3.86;

    private static final int TEST_1_CONSUMERS = 5;
    private static final int TEST_2_CONSUMERS = 10;
    private static final Duration PRODUCER_INTERVAL = Duration.ofSeconds(1);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private final Bench bench;
    private final BenchOptions options;
    private final BenchReport report;

    SeedTests(Bench bench) {
        this.bench = bench;
        this.options = bench.options();
        this.report = bench.report();
    }

    // --- timing test 1 ----------------------------------------------------------------------------------

    void first() {
        int producers = options.producersOr(BenchOptions.SEED_PRODUCERS);
        Map<String, Object> figures = new LinkedHashMap<>();
        List<Integer> configurations = options.embedded() ? List.of(options.workersOr(3), 1) : List.of(0);
        RunFigures reference = null;
        for (int workers : configurations) {
            String name = workers == 0 ? "running system" : workers + (workers == 1 ? " worker" : " workers");
            try (BenchSystem system = bench.system("seed-test-1-" + workers + "w", Math.max(1, workers))) {
                URI balancer = system.balancer(options.scenario());
                ConsumerFleetStats stats = consumersBeside(balancer, producers, TEST_1_CONSUMERS, name);
                figures.put(name, fleetJson(stats));
                report.line(String.format(Locale.ROOT, "%s: time per consumer request p50 %.2f ms, p90 %.2f ms, "
                                + "p99 %.2f ms, max %.2f ms (%d requests, %d errors)", name, stats.p50Millis(),
                        stats.p90Millis(), stats.p99Millis(), stats.maxMillis(), stats.requests(), stats.errorCount()));
                if (reference == null) {
                    reference = consumerReference(balancer);
                }
            }
        }
        figures.put("report", Map.of("3 workers_s", REPORT_TEST_1_THREE_WORKERS_S, "1 worker_s", REPORT_TEST_1_ONE_WORKER_S));
        report.note("seed_test_1", figures, String.format(Locale.ROOT,
                "report: %.0f ms per consumer request with 3 workers, %.0f ms with 1",
                REPORT_TEST_1_THREE_WORKERS_S * 1000, REPORT_TEST_1_ONE_WORKER_S * 1000));
        if (reference != null) {
            report.result("reference at the consumers' rate", reference);
        }
    }

    /** Runs the report's producers and consumers against {@code balancer}; the consumers' figures after the warmup. */
    private ConsumerFleetStats consumersBeside(URI balancer, int producerCount, int consumerCount, String name) {
        ProducerFleet producers = new ProducerFleet(new ProducerFleetConfig(List.of(balancer),
                BenchOptions.SEED_FIRST_ID, producerCount, PRODUCER_INTERVAL, 10, REQUEST_TIMEOUT, Duration.ZERO));
        ConsumerFleet consumers = new ConsumerFleet(new ConsumerFleetConfig(List.of(balancer),
                BenchOptions.SEED_FIRST_ID, producerCount, consumerCount, options.consumerInterval(), REQUEST_TIMEOUT,
                Duration.ZERO));
        try {
            producers.start();
            sleep(PRODUCER_INTERVAL.plusMillis(500));
            consumers.start();
            report.line(String.format(Locale.ROOT, "running %d producers (one heartbeat a second each) and %d consumers "
                            + "(one request every %d ms each) on %s for %d s after %d s of warmup", producerCount,
                    consumerCount, options.consumerInterval().toMillis(), name, options.runTime().toSeconds(),
                    options.warmup().toSeconds()));
            sleep(options.warmup());
            consumers.intervalSnapshot();
            sleep(options.runTime());
            return consumers.intervalSnapshot();
        } finally {
            closeQuietly(consumers, producers);
        }
    }

    /** One GET of the reference per consumer request, at the consumers' rate (open loop, 5 connections). */
    private RunFigures consumerReference(URI balancer) {
        if (options.skipReference()) {
            return null;
        }
        double rate = TEST_1_CONSUMERS * 1000.0 / options.consumerInterval().toMillis();
        LoadPlan consumersShape = new LoadPlan("consumers", balancer, RequestMix.get("/health"), TEST_1_CONSUMERS, 1,
                true, options.warmup(), options.runTime(), 0, rate, options.timeout(), Duration.ZERO);
        return bench.reference(consumersShape, balancer);
    }

    // --- timing test 2 ----------------------------------------------------------------------------------

    void second() {
        int producerCount = options.producersOr(BenchOptions.SEED_PRODUCERS);
        ProducerIds ids = new ProducerIds(BenchOptions.SEED_FIRST_ID, producerCount);
        List<Boolean> modes = options.keepAlive() == null ? List.of(false, true) : List.of(options.keepAlive());
        try (BenchSystem system = bench.system("seed-test-2", options.workersOr(3))) {
            URI balancer = system.balancer(options.scenario());
            bench.preload(system, balancer, null, ids);
            ProducerFleet producers = null;
            ConsumerFleet consumers = null;
            if (system.isEmbedded()) {
                producers = new ProducerFleet(new ProducerFleetConfig(List.of(balancer), ids.first(), producerCount,
                        PRODUCER_INTERVAL, 10, REQUEST_TIMEOUT, Duration.ZERO));
                consumers = new ConsumerFleet(new ConsumerFleetConfig(List.of(balancer), ids.first(), producerCount,
                        TEST_2_CONSUMERS, Duration.ofMillis(100), REQUEST_TIMEOUT, Duration.ZERO));
                producers.start();
                consumers.start();
                report.line("running beside the load: " + producerCount + " producers and " + TEST_2_CONSUMERS
                        + " consumers, as the report's test 2");
            }
            try {
                for (boolean keepAlive : modes) {
                    abRun(balancer, ids, keepAlive);
                }
            } finally {
                closeQuietly(consumers, producers);
            }
        }
    }

    private void abRun(URI balancer, ProducerIds ids, boolean keepAlive) {
        LoadPlan plan = bench.plan("seed-test-2 GET /get_data/{id}" + (keepAlive ? " keep-alive" : ""), balancer,
                        RequestMix.get(ids.each("/get_data/%s")))
                .withKeepAlive(keepAlive);
        plan = new LoadPlan(plan.label(), plan.target(), plan.mix(),
                options.connectionsOr(BenchOptions.SEED_TEST_2_CONNECTIONS), plan.threads(), keepAlive, plan.warmup(),
                plan.duration(), options.requests(), 0, plan.timeout(), Duration.ZERO);
        RunFigures result = bench.measure(plan);
        RunFigures reference = bench.reference(plan, balancer);
        report.compare(plan.label(), result, reference,
                Goal.of(bench.options().generator(), Goal.SEED_TEST_2, Goal.SEED_TEST_2_BY_TOOL));
        double msPerRequest = result.elapsed().toNanos() / 1e6 / Math.max(1, result.answers());
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("ms_per_request_across_all", LoadResult.round(msPerRequest));
        figures.put("report_ms_per_request_across_all", REPORT_TEST_2_MS_PER_REQUEST);
        figures.put("max_ms", LoadResult.round(result.maxMillis()));
        report.note("seed_test_2_" + (keepAlive ? "keep_alive" : "no_keep_alive"), figures, String.format(Locale.ROOT,
                "  time per request (mean, across all concurrent requests): %.3f ms (the report: %.2f ms, %.1fx faster); "
                        + "slowest request %.1f ms%s", msPerRequest, REPORT_TEST_2_MS_PER_REQUEST,
                REPORT_TEST_2_MS_PER_REQUEST / msPerRequest, result.maxMillis(),
                result.maxMillis() >= 1000 ? " (1 s or more: a connect was probably retried, listen backlog full)" : ""));
    }

    // --- helpers ----------------------------------------------------------------------------------------

    private static Map<String, Object> fleetJson(ConsumerFleetStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", s.requests());
        m.put("ok", s.ok());
        m.put("errors", s.errorCount());
        m.put("p50_ms", s.p50Millis());
        m.put("p90_ms", s.p90Millis());
        m.put("p99_ms", s.p99Millis());
        m.put("max_ms", s.maxMillis());
        m.put("requests_per_s", LoadResult.round(s.ratePerSecond()));
        return m;
    }

    private static void closeQuietly(AutoCloseable... fleets) {
        List<Exception> failures = new ArrayList<>();
        for (AutoCloseable fleet : fleets) {
            if (fleet == null) {
                continue;
            }
            try {
                fleet.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a simulated fleet did not stop: " + failures.get(0).getMessage(), failures.get(0));
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the bench was interrupted", e);
        }
    }
}
