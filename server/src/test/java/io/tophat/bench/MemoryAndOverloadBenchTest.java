package io.tophat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tophat bench memory}, {@code overload}, {@code osmand}, and {@code read} and {@code ingest} with {@code --credentials},
 * short, read back from their {@code --json} document.
 */
@Timeout(60)
class MemoryAndOverloadBenchTest {

    @Test
    void memory_reports_the_live_heap_of_the_filled_cache_and_near_index_against_the_target() throws Exception {
        JsonNode doc = bench(Scenario.MEMORY, 20_000, null, Duration.ZERO, null);

        JsonNode run = doc.get("runs").get(0);
        JsonNode result = run.get("result");
        assertThat(result.get("producers").asInt()).isEqualTo(20_000);
        assertThat(result.get("cache_entries").asInt()).isEqualTo(20_000);
        assertThat(result.get("body_bytes").asInt()).isBetween(150, 250);
        assertThat(result.get("near_entries").asInt()).isEqualTo(20_000);
        assertThat(result.get("bytes_per_producer").asDouble()).as("live bytes per producer").isBetween(100.0, 600.0);
        assertThat(result.get("cache_mb").asDouble())
                .isCloseTo(result.get("heap_after_mb").asDouble() - result.get("heap_before_mb").asDouble(),
                        org.assertj.core.data.Offset.offset(0.01));
        assertThat(result.get("total_mb").asDouble()).as("cache and near index filled together")
                .isCloseTo(result.get("heap_after_near_mb").asDouble() - result.get("heap_before_near_mb").asDouble(),
                        org.assertj.core.data.Offset.offset(0.01));
        assertThat(result.get("near_index_mb").asDouble()).as("the near index's share").isPositive()
                .isCloseTo(result.get("total_mb").asDouble() - result.get("cache_mb").asDouble(),
                        org.assertj.core.data.Offset.offset(0.02));
        assertThat(result.get("target_mb").asDouble()).isEqualTo(6.0);
        // the goal is judged on the whole, the near index included (a target for the bench, not for this test)
        assertThat(run.get("goal").get("met").asBoolean())
                .isEqualTo(result.get("total_mb").asDouble() <= result.get("target_mb").asDouble());
    }

    @Test
    void with_credentials_every_heartbeat_and_every_read_carries_a_valid_one_and_is_answered_200() throws Exception {
        for (Scenario scenario : new Scenario[] {Scenario.INGEST, Scenario.READ}) {
            JsonNode doc = bench(scenario, 200, Duration.ofSeconds(1), Duration.ofMillis(200), 16, true);
            assertThat(doc.get("system").asText()).contains("every request with a credential");
            assertThat(doc.get("runs")).isNotEmpty();
            for (JsonNode run : doc.get("runs")) {
                JsonNode result = run.get("result");
                assertThat(result.get("statuses").fieldNames()).as(run.get("name").asText()).toIterable()
                        .containsExactly("200");
                assertThat(result.get("errors").size()).as(run.get("name").asText()).isZero();
            }
        }
    }

    @Test
    void osmand_stores_every_position_the_front_door_acknowledged() throws Exception {
        JsonNode doc = bench(Scenario.OSMAND, 200, Duration.ofSeconds(1), Duration.ofMillis(200), 16);
        JsonNode result = doc.get("runs").get(0).get("result");
        assertThat(result.get("statuses").fieldNames()).toIterable().containsExactly("200");
        JsonNode stored = doc.get("notes").get("stored_vs_acknowledged");
        assertThat(stored.get("acknowledged").asLong()).isPositive();
        assertThat(stored.get("stored").asLong()).as("every acknowledged position, and some in flight at the end")
                .isGreaterThanOrEqualTo(stored.get("acknowledged").asLong());
    }

    @Test
    void overload_sheds_with503_and_retry_after_loses_nothing_keeps_the_heap_flat_and_recovers() throws Exception {
        JsonNode doc = bench(Scenario.OVERLOAD, null, Duration.ofSeconds(4), Duration.ofSeconds(1), 128);

        JsonNode result = doc.get("runs").get(0).get("result");
        assertThat(result.get("statuses").path("503").asLong()).as("heartbeats shed").isGreaterThan(0);
        assertThat(result.get("503_without_retry_after").asLong()).isZero();
        assertThat(result.get("statuses").path("200").asLong()).as("heartbeats stored").isGreaterThan(0);
        assertThat(result.get("errors").size()).as("no failure but 503").isZero();

        JsonNode notes = doc.get("notes");
        JsonNode stored = notes.get("stored_vs_acknowledged");
        assertThat(stored.get("stored").asLong()).isGreaterThanOrEqualTo(stored.get("acknowledged").asLong());
        assertThat(notes.get("recovery").get("status").asInt()).isEqualTo(200);
        JsonNode heap = notes.get("heap");
        assertThat(heap.get("samples_mb").size()).isBetween(3, 4);
        assertThat(heap.get("flat").asBoolean()).isTrue();

        JsonNode checks = doc.get("runs").get(0).get("goal").get("checks");
        assertThat(checks.get(0).get("target").asText()).contains("503 + Retry-After");
        assertThat(checks.get(0).get("met").asBoolean()).isTrue();
    }

    private static JsonNode bench(Scenario scenario, Integer producers, Duration duration, Duration warmup,
                                  Integer connections) throws Exception {
        return bench(scenario, producers, duration, warmup, connections, false);
    }

    private static JsonNode bench(Scenario scenario, Integer producers, Duration duration, Duration warmup,
                                  Integer connections, boolean credentials) throws Exception {
        BenchOptions options = new BenchOptions(scenario, BenchOptions.Target.embedded(true),
                new BenchOptions.Load(connections, 2, duration, warmup, 0, null, 3000, Duration.ofSeconds(10),
                        Generator.BUILTIN),
                new BenchOptions.SystemShape(producers, null, Duration.ofMillis(100), null, null, 0,
                        io.tophat.store.StoreTarget.EMBEDDED, credentials), true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Bench.run(options, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        System.out.println(err.toString(StandardCharsets.UTF_8));
        assertThat(code).isZero();
        return new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
    }
}
