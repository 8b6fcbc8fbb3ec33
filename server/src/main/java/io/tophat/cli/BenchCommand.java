package io.tophat.cli;

import io.tophat.bench.Bench;
import io.tophat.bench.BenchOptions;
import io.tophat.bench.Generator;
import io.tophat.bench.Scenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code tophat bench SCENARIO}: throughput and latency of TopHat's paths beside a same-sitting reference. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Measures one of TopHat's paths: requests/s, latency p50/p90/p99/p99.9/max (HdrHistogram) and errors "
                        + "by kind, then the same load against a reference in the same sitting (the server's own "
                        + "/health, or --reference, for example the nginx of tools/reference-server) and the ratio.",
                "By default each scenario starts its own system in this process (a balancer and workers, SQLite in a "
                        + "temporary folder, durable ack) and loads it with data first; --balancer/--worker "
                        + "measure running servers instead.",
                "Scenarios:",
                "  redirect     balancer GET /get_data/{id} (302), many producers",
                "  read         worker GET /get_data/{id} and /api/v1/producers/{id}",
                "  ingest       worker POST /heartbeat, ~200-byte bodies, durable ack",
                "  seed-test-1  the report's test 1: 20 producers, 5 consumers, 3 workers vs 1",
                "  seed-test-2  the report's test 2: ab -n 3000 -c 500 on the balancer, with and",
                "               without keep-alive",
                "  memory       live heap of a worker's latest cache of --producers (1,000,000),",
                "               filled in this process through the worker's parse path",
                "  overload     worker POST /heartbeat far above a slow store's pace for 60 s:",
                "               503 + Retry-After, flat heap, nothing acknowledged lost",
                "  export       one producer's 1,000,000 heartbeats (--producers) exported through",
                "               the balancer as NDJSON and CSV: rows/s, peak heap",
                "  near         who is near here over one worker's index of 1,000,000 producers",
                "               (--producers): p50/p99 for radii of 100 m, 1 km and 50 km",
                "  osmand       Traccar Client's POST /osmand at the balancer's front door, stored",
                "               durably by the producer's worker before each answer",
                "  stream       1,000 producers at 1,000 heartbeats/s: delay from the producer's 200",
                "               to the event at 100 balancer subscribers; most subscribers one",
                "               worker keeps up with (one-producer and firehose)",
                "  register     1,000,000 producers (--producers) registered with wrk at a balancer",
                "               process: registrations/s (durable), its live heap, and its restart",
                "               after a SIGKILL until it redirects again"})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SCENARIO",
            description = "redirect, read, ingest, osmand, seed-test-1, seed-test-2, memory, overload, export, near, "
                    + "stream or register.")
    String scenario;

    @Option(names = "--balancer", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Measure this running balancer instead of an embedded system (default: embedded).")
    URI balancer;

    @Option(names = "--worker", paramLabel = "HOST:PORT", converter = HostPortConverter.class,
            description = "Measure this running worker instead of an embedded system (default: embedded).")
    URI worker;

    @Option(names = "--reference", paramLabel = "URL",
            description = "The reference, for example http://127.0.0.1:8080/r of tools/reference-server; it gets the "
                    + "same method and body as the scenario (default: GET /health of the measured server).")
    URI reference;

    @Option(names = "--skip-reference", description = "Measure the system only, without a reference run (default: false).")
    boolean skipReference;

    @Option(names = "--generator", paramLabel = "GENERATOR",
            description = {"What sends the load (default: builtin; wrk for register):",
                    "builtin: this process's own generator, every scenario but register;",
                    "wrk: redirect, read, ingest and register, as wrk -tTHREADS -cCONNECTIONS -dDURATION --latency "
                            + "(whole seconds), ingest with the jar's heartbeat script over the producers, register "
                            + "with its registration script (a new producer each request);",
                    "ab: seed-test-2, redirect and read, as ab -r -n REQUESTS -c CONNECTIONS [-k].",
                    "wrk and ab run as child processes, closed loop (no --rate, no --credentials), ask for one "
                            + "producer's path, and must be on the PATH (apt-get install wrk apache2-utils); the "
                            + "report gives their figures and their CPU per request beside this process's."})
    String generator;

    @Option(names = "--connections", paramLabel = "N",
            description = "Connections open at once, one request in flight each (default: "
                    + BenchOptions.DEFAULT_CONNECTIONS + "; " + BenchOptions.SEED_TEST_2_CONNECTIONS + " for seed-test-2).")
    Integer connections;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "2",
            description = "Event loops of the builtin generator, wrk's -t (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Measured time of each run (ab sends --requests instead); progress lines every 5 s from "
                    + "15 s on (default: 30s; 60s for overload).")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "Load before each run's measurement starts, not reported; with wrk and ab a warm-up run "
                    + "of the same command (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "0",
            description = "Open loop: this many requests per second over all connections, latency counted from each "
                    + "request's intended send time (coordinated omission corrected); 0 runs a closed loop, each "
                    + "connection sending when the previous answer arrived (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--keep-alive", negatable = true, fallbackValue = "true",
            description = "Reuse connections; --no-keep-alive opens one per request, as ab without -k (wrk: "
                    + "-H 'Connection: close') (default: keep-alive; seed-test-2 runs both unless one is given).")
    Boolean keepAlive;

    @Option(names = "--producers", paramLabel = "N",
            description = "Distinct producers the requests go round (default: " + BenchOptions.DEFAULT_PRODUCERS
                    + "; " + BenchOptions.SEED_PRODUCERS + ", ids 3000 on, for the seed tests; for memory, the producers "
                    + "whose latest record the cache holds, and for register, the producers registered: 1,000,000).")
    Integer producers;

    @Option(names = "--workers", paramLabel = "N",
            description = "Workers of the embedded system (default: 3 for redirect, register and the seed tests, 1 for read "
                    + "and ingest; seed-test-1 then also runs with 1).")
    Integer workers;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "3000",
            description = "Requests per run of seed-test-2, and of every run with --generator ab: ab -n "
                    + "(default: ${DEFAULT-VALUE}).")
    long requests;

    @Option(names = "--consumer-interval", paramLabel = "DURATION", defaultValue = "100ms",
            converter = DurationConverter.class,
            description = "How often each consumer of seed-test-1 asks (default: ${DEFAULT-VALUE}).")
    Duration consumerInterval;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Longest a connect or an answer may take before the request counts as a timeout; wrk's "
                    + "--timeout and ab's -s, in whole seconds (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--retention", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With ingest: the embedded worker runs with --retention DURATION and starts with "
                    + BenchOptions.RETENTION_BACKLOG + " older heartbeats, which its retention deletes while the load "
                    + "runs (compare p99 with a run without it, in the same sitting).")
    Duration retention;

    @Option(names = "--areas", paramLabel = "N", defaultValue = "0",
            description = "With ingest: N circular areas (500 m, spread over the producers' region) watched at the "
                    + "balancer during the run, so every stored heartbeat is also judged for enter and leave "
                    + "(default: none).")
    int areas;

    @Option(names = "--credentials",
            description = "With redirect, read and ingest: the embedded system checks credentials (as --auth secret "
                    + "does, without rate limits) and every request carries one: its producer's token on "
                    + "heartbeats, a consumer key on reads; compare with a run without it, in the same sitting "
                    + "(default: false).")
    boolean credentials;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder for the embedded system's SQLite files, kept afterwards (default: a temporary "
                    + "folder, removed afterwards).")
    Path dataDir;

    @picocli.CommandLine.Mixin
    StoreOptions store = new StoreOptions();

    @Option(names = "--json", description = "Print one JSON document with every figure; commentary and progress go "
            + "to standard error (default: false).")
    boolean json;

    @Override
    public Integer call() {
        BenchOptions options;
        try {
            options = new BenchOptions(Scenario.of(scenario),
                    new BenchOptions.Target(balancer, worker, reference, skipReference),
                    new BenchOptions.Load(connections, threads, duration, warmup, rate, keepAlive, requests, timeout,
                            Generator.of(generator != null ? generator
                                    : Scenario.of(scenario) == Scenario.REGISTER ? "wrk" : "builtin")),
                    new BenchOptions.SystemShape(producers, workers, consumerInterval, dataDir, retention, areas,
                            store.target(), credentials), json);
            options.generator().requireOn(System.getenv("PATH"));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return Bench.run(options, System.out, System.err);
    }
}
