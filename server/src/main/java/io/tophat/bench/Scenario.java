package io.tophat.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The bench's scenarios, by the name used on the command line. */
public enum Scenario {
    REDIRECT("redirect", "the balancer's GET /get_data/{id} (302 to the worker) over many producers"),
    READ("read", "a worker's GET /get_data/{id} and GET /api/v1/producers/{id} (latest record, from memory)"),
    INGEST("ingest", "a worker's POST /heartbeat, about 200-byte bodies from many producers, durable ack"),
    OSMAND("osmand", "Traccar Client's POST /osmand (a urlencoded form) at the balancer's front door, forwarded to "
            + "the producers' worker and stored durably before each answer"),
    SEED_TEST_1("seed-test-1", "the report's timing test 1: 1 balancer, 3 workers vs 1 worker, 20 producers, "
            + "5 consumers; time per consumer request"),
    SEED_TEST_2("seed-test-2", "the report's timing test 2: 3,000 requests at concurrency 500 to the balancer's "
            + "/get_data/{id}, with and without keep-alive"),
    MEMORY("memory", "the live heap one worker's latest cache needs for many producers (1,000,000 by default)"),
    EXPORT("export", "one producer's whole history (1,000,000 heartbeats by default, --producers N) exported "
            + "through the balancer as NDJSON and CSV: rows/s and the peak live heap"),
    NEAR("near", "one worker's spatial index of 1,000,000 producers (--producers N): who is near here for radii of "
            + "100 m, 1 km and 50 km, p50/p99 in this process"),
    STREAM("stream", "1,000 producers (--producers N) at 1,000 heartbeats/s: delay from the producer's 200 to the "
            + "event at 100 subscribers through the balancer, and the most subscribers one worker keeps up with"),
    REGISTER("register", "1,000,000 producers (--producers N) registered at a balancer process with wrk, each "
            + "assignment written before its answer: registrations/s, the balancer's live heap, and the time from a "
            + "SIGKILL until a new balancer process on that state redirects again"),
    OVERLOAD("overload", "a worker's POST /heartbeat far above what its deliberately slow store can write: "
            + "503 + Retry-After, flat heap, nothing acknowledged lost, recovery");

    private final String label;
    private final String description;

    Scenario(String label, String description) {
        this.label = label;
        this.description = description;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    /** The scenario called {@code name} on the command line; throws a message listing the names when unknown. */
    public static Scenario of(String name) {
        for (Scenario s : values()) {
            if (s.label.equalsIgnoreCase(name.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + name + "'; choose one of " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(Scenario::label).collect(Collectors.joining(", "));
    }
}
