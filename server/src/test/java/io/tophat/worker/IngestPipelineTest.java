package io.tophat.worker;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import io.tophat.store.SqliteHeartbeatStore;
import io.tophat.store.SqliteStoreConfig;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The ingest pipeline on a real SQLite store: what outcome each heartbeat gets, where, and what is stored. */
@Timeout(60)
class IngestPipelineTest {
    @TempDir
    Path dir;
    private final Vertx vertx = Vertx.vertx();

    private record Delivered(String target, IngestOutcome outcome, boolean onItsContext) {
    }

    @AfterEach
    void stop() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    private WorkerConfig config(AckMode ack, int queueCapacity) {
        WorkerConfig defaults = WorkerConfig.embedded(List.of(URI.create("http://127.0.0.1:1")), dir)
                .withIngest(i -> i.withWriter(queueCapacity, 100));
        return ack == AckMode.CACHED ? defaults.withIngest(i -> i.withCacheSize(2).withAck(ack, Duration.ofMillis(50)))
                : defaults;
    }

    private final StoreHealth health = new StoreHealth(Duration.ofMinutes(1), false);

    private static Heartbeat heartbeat(String producer, long seq) {
        return new Heartbeat(producer, Location.of(56.34, -2.79), "{\"n\":" + seq + "}", "127.0.0.1",
                System.currentTimeMillis(), null, seq);
    }

    @Test
    void a_durable_heartbeat_is_stored_before_its_outcome_which_arrives_on_the_submitting_context() {
        try (SqliteHeartbeatStore store = SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(dir.resolve("h.db")))) {
            List<Delivered> delivered = new CopyOnWriteArrayList<>();
            Context context = vertx.getOrCreateContext();
            IngestPipeline<String> pipeline = new IngestPipeline<>(config(AckMode.DURABLE, 100), store,
                    new LatestCache(10), new LatestCache(10), new io.tophat.geo.NearIndex(), new StreamHub("s", new LatestCache(10), false), new WorkerMetrics(), health, (target, outcome) -> delivered.add(
                    new Delivered(target, outcome, Vertx.currentContext() == context)));
            context.runOnContext(v -> {
                for (int i = 0; i < 5; i++) {
                    pipeline.submit(heartbeat("p" + i, i), context, "t" + i);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 5);
            pipeline.close();
            assertThat(delivered).allSatisfy(d -> {
                assertThat(d.outcome()).isEqualTo(IngestOutcome.STORED);
                assertThat(d.onItsContext()).isTrue();
            });
            assertThat(delivered).extracting(Delivered::target).containsExactlyInAnyOrder("t0", "t1", "t2", "t3", "t4");
            for (int i = 0; i < 5; i++) {
                assertThat(store.latest("p" + i)).map(Heartbeat::data).hasValue("{\"n\":" + i + "}");
            }
        }
    }

    @Test
    void a_cached_heartbeat_is_accepted_at_once_and_written_at_the_next_flush() {
        try (SqliteHeartbeatStore store = SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(dir.resolve("h.db")))) {
            List<IngestOutcome> delivered = new CopyOnWriteArrayList<>();
            IngestPipeline<String> pipeline = new IngestPipeline<>(config(AckMode.CACHED, 100), store,
                    new LatestCache(10), new LatestCache(10), new io.tophat.geo.NearIndex(), new StreamHub("s", new LatestCache(10), false), new WorkerMetrics(), health, (target, outcome) -> delivered.add(outcome));
            pipeline.submit(heartbeat("c", 1), vertx.getOrCreateContext(), "t");
            assertThat(delivered).containsExactly(IngestOutcome.ACCEPTED);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.latest("c").isPresent());
            pipeline.close();
        }
    }

    @Test
    void a_batch_the_store_cannot_commit_is_a_store_failure_for_each_of_its_heartbeats() {
        SqliteHeartbeatStore store = SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(dir.resolve("h.db")));
        store.close();
        List<IngestOutcome> delivered = new CopyOnWriteArrayList<>();
        Context context = vertx.getOrCreateContext();
        StoreHealth failing = new StoreHealth(Duration.ZERO, false);
        IngestPipeline<String> pipeline = new IngestPipeline<>(config(AckMode.DURABLE, 100), store,
                new LatestCache(10), new LatestCache(10), new io.tophat.geo.NearIndex(), new StreamHub("s", new LatestCache(10), false), new WorkerMetrics(), failing, (target, outcome) -> delivered.add(outcome));
        context.runOnContext(v -> {
            pipeline.submit(heartbeat("f", 1), context, "a");
            pipeline.submit(heartbeat("f", 2), context, "b");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 2);
        pipeline.close();
        assertThat(delivered).allSatisfy(o -> assertThat(o).isInstanceOf(IngestOutcome.StoreFailed.class));
        assertThat(failing.failing()).as("the store health saw the failed batch").isTrue();
        await().atMost(Duration.ofSeconds(1)).until(() -> failing.steppedAsideMs() > 0);
    }

    @Test
    void a_batch_that_commits_ends_a_run_of_store_failures() {
        try (SqliteHeartbeatStore store = SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(dir.resolve("h.db")))) {
            health.failed();
            List<IngestOutcome> delivered = new CopyOnWriteArrayList<>();
            Context context = vertx.getOrCreateContext();
            IngestPipeline<String> pipeline = new IngestPipeline<>(config(AckMode.DURABLE, 100), store,
                    new LatestCache(10), new LatestCache(10), new io.tophat.geo.NearIndex(), new StreamHub("s", new LatestCache(10), false), new WorkerMetrics(), health, (target, outcome) -> delivered.add(outcome));
            context.runOnContext(v -> pipeline.submit(heartbeat("ok", 1), context, "a"));
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered.size() == 1);
            pipeline.close();
            assertThat(delivered).containsExactly(IngestOutcome.STORED);
            assertThat(health.failing()).isFalse();
            assertThat(health.steppedAsideMs()).isZero();
        }
    }
}
