package io.tophat.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Everything {@code tophat bench} is configured with: what to measure, against what, with what load, on what
 * system. Null in the nullable fields means "the scenario's default"; the accessors below resolve them.
 *
 * @param scenario what to measure
 * @param target   what is measured and what it is compared with
 * @param load     the load generator's settings
 * @param system   the system the load runs against, when the bench builds it
 * @param json     print one JSON document instead of text
 */
public record BenchOptions(Scenario scenario, Target target, Load load, SystemShape system, boolean json) {

    /**
     * @param balancer      a running balancer to measure instead of an embedded one (nullable)
     * @param worker        a running worker to measure instead of an embedded one (nullable)
     * @param reference     the reference URL; null for the measured server's own {@code /health}
     * @param skipReference measure the system only
     */
    public record Target(URI balancer, URI worker, URI reference, boolean skipReference) {
        public Target {
            require(reference == null || (reference.getHost() != null && reference.getPort() > 0),
                    "--reference must be a URL with host and port, for example http://127.0.0.1:8080/ok");
        }

        /** The embedded system, compared with its own {@code /health} unless {@code skipReference}. */
        public static Target embedded(boolean skipReference) {
            return new Target(null, null, null, skipReference);
        }
    }

    /**
     * @param connections connections open at once (nullable: 256, or 500 for seed-test-2)
     * @param threads     event loops of the load generator
     * @param duration    nullable: the measured time of each run, 30 s (60 s for overload)
     * @param warmup      load before each run's measurement starts
     * @param rate        requests per second over all connections (open loop), 0 for closed loop
     * @param keepAlive   nullable: keep-alive, except seed-test-2, which runs both
     * @param requests    requests per run of seed-test-2, and of every run with ab (ab -n)
     * @param timeout     the longest a connect or an answer may take
     * @param generator   what sends the load: the builtin generator, wrk or ab
     */
    public record Load(Integer connections, int threads, Duration duration, Duration warmup, double rate,
                       Boolean keepAlive, long requests, Duration timeout, Generator generator) {
        public Load {
            require(generator != null, "a generator is needed");
            require(connections == null || connections >= 1, "--connections must be at least 1");
            require(threads >= 1 && threads <= 64, "--threads must be between 1 and 64");
            require(duration == null || duration.toMillis() >= 100, "--duration must be at least 100ms");
            require(!warmup.isNegative(), "--warmup must not be negative");
            require(rate >= 0, "--rate must not be negative (0 runs a closed loop)");
            require(requests >= 1, "--requests must be at least 1");
            require(timeout.toMillis() >= 1, "--timeout must be at least 1ms");
        }
    }

    /**
     * @param producers        nullable: 10,000, or 20 for the seed tests, 1,000,000 for memory
     * @param workers          nullable: workers of the embedded system, 3 for redirect and the seed tests, 1 otherwise
     * @param consumerInterval how often each consumer of seed-test-1 asks
     * @param dataDir          where the embedded system keeps its SQLite files; null for a temporary folder
     * @param retention        with {@code ingest}: embedded workers keep this much history, and the run starts with
     *                         {@link #RETENTION_BACKLOG} older heartbeats for their retention to delete meanwhile;
     *                         null: none
     * @param areas            with {@code ingest}: this many areas watched at the balancer during the run (0: none)
     * @param store            where the embedded workers store
     * @param credentials      the embedded system checks credentials and every request carries one: its producer's
     *                         token on heartbeats, a consumer key on reads (no rate limits)
     */
    public record SystemShape(Integer producers, Integer workers, Duration consumerInterval, Path dataDir,
                              Duration retention, int areas, io.tophat.store.StoreTarget store, boolean credentials) {
        public SystemShape {
            require(store != null, "a store is needed");
            require(areas >= 0 && areas <= 10_000, "--areas must be from 0 to 10000");
            require(producers == null || producers >= 1, "--producers must be at least 1");
            require(workers == null || (workers >= 1 && workers <= 64), "--workers must be between 1 and 64");
            require(consumerInterval.toMillis() >= 1, "--consumer-interval must be at least 1ms");
        }
    }

    public static final int DEFAULT_CONNECTIONS = 256;
    public static final int SEED_TEST_2_CONNECTIONS = 500;
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
    public static final Duration OVERLOAD_DURATION = Duration.ofSeconds(60);
    public static final int DEFAULT_PRODUCERS = 10_000;
    public static final int MEMORY_PRODUCERS = 1_000_000;
    /** Heartbeats older than {@code --retention} put in the store before {@code ingest --retention} runs. */
    public static final int RETENTION_BACKLOG = 2_000_000;
    public static final int SEED_PRODUCERS = 20;
    public static final long SEED_FIRST_ID = 3000;

    public BenchOptions {
        require(scenario != null, "give a scenario: " + Scenario.names());
        require(!system.credentials() || java.util.EnumSet.of(Scenario.REDIRECT, Scenario.READ, Scenario.INGEST)
                .contains(scenario), "--credentials applies to redirect, read and ingest");
        require(!system.credentials() || (target.balancer() == null && target.worker() == null),
                "--credentials secures the embedded system: give neither --balancer nor --worker");
        requireDrivable(scenario, load, system);
    }

    /** What wrk and ab cannot do, refused before anything starts. */
    private static void requireDrivable(Scenario scenario, Load load, SystemShape system) {
        Generator generator = load.generator();
        require(generator.drives(scenario), "--generator " + generator.label() + " drives "
                + generator.drivenScenarios() + ", not " + scenario.label());
        if (!generator.external()) {
            return;
        }
        require(load.rate() == 0, "--rate needs --generator builtin: wrk and ab run a closed loop");
        require(!system.credentials(), "--credentials needs --generator builtin");
        require(generator != Generator.WRK || (wholeSeconds(runTime(scenario, load)) && wholeSeconds(load.warmup())),
                "--generator wrk runs whole seconds (wrk -d): give --duration and --warmup in s, m or h");
        int connections = load.connections() == null ? defaultConnections(scenario) : load.connections();
        require(generator != Generator.AB || connections <= load.requests(), "--generator ab: --connections ("
                + connections + ") must not exceed --requests (" + load.requests() + "), as ab -c and -n");
    }

    private static boolean wholeSeconds(Duration d) {
        return d.toMillis() % 1000 == 0;
    }

    /** Connections open at once when --connections is not given: 500 for seed-test-2, else 256. */
    private static int defaultConnections(Scenario scenario) {
        return scenario == Scenario.SEED_TEST_2 ? SEED_TEST_2_CONNECTIONS : DEFAULT_CONNECTIONS;
    }

    private static Duration runTime(Scenario scenario, Load load) {
        if (load.duration() != null) {
            return load.duration();
        }
        return scenario == Scenario.OVERLOAD ? OVERLOAD_DURATION : DEFAULT_DURATION;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Whether the system under test is embedded (no running server was named). */
    public boolean embedded() {
        return target.balancer() == null && target.worker() == null;
    }

    /** The measured time of each run: {@code --duration}, else 60 s for overload and 30 s for the others. */
    public Duration runTime() {
        return runTime(scenario, load);
    }

    /** What sends the load. */
    public Generator generator() {
        return load.generator();
    }

    URI balancer() {
        return target.balancer();
    }

    URI worker() {
        return target.worker();
    }

    URI reference() {
        return target.reference();
    }

    boolean skipReference() {
        return target.skipReference();
    }

    int threads() {
        return load.threads();
    }

    Duration warmup() {
        return load.warmup();
    }

    double rate() {
        return load.rate();
    }

    Boolean keepAlive() {
        return load.keepAlive();
    }

    long requests() {
        return load.requests();
    }

    Duration timeout() {
        return load.timeout();
    }

    Duration consumerInterval() {
        return system.consumerInterval();
    }

    Path dataDir() {
        return system.dataDir();
    }

    int connectionsOr(int fallback) {
        return load.connections() == null ? fallback : load.connections();
    }

    int producersOr(int fallback) {
        return system.producers() == null ? fallback : system.producers();
    }

    int workersOr(int fallback) {
        return system.workers() == null ? fallback : system.workers();
    }

    boolean keepAliveOr(boolean fallback) {
        return load.keepAlive() == null ? fallback : load.keepAlive();
    }

    /** Progress lines every 5 s on runs of 15 s and more. */
    Duration progress() {
        return runTime().toSeconds() >= 15 ? Duration.ofSeconds(5) : Duration.ZERO;
    }
}
