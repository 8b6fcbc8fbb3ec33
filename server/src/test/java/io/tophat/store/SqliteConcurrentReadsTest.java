package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class SqliteConcurrentReadsTest {

    private static final int PRODUCERS = 20;
    private static final int BATCHES = 200;
    private static final int BATCH_SIZE = 100;
    private static final int READERS = 6;

    @TempDir
    Path dir;

    @Test
    void readers_on_several_threads_see_a_consistent_growing_store_while_the_writer_appends() throws Exception {
        SqliteStoreConfig config = SqliteStoreConfig.defaults(dir.resolve("heartbeats.db")).withReadConnections(2);
        ExecutorService threads = Executors.newFixedThreadPool(READERS + 1);
        try (SqliteHeartbeatStore store = SqliteHeartbeatStore.open(config)) {
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                readers.add(threads.submit(() -> readUntilDone(store, writing)));
            }
            Future<?> writer = threads.submit(() -> {
                try {
                    writeAll(store);
                } finally {
                    writing.set(false);
                }
            });

            writer.get();
            for (Future<Integer> reader : readers) {
                assertThat(reader.get()).as("reads done by one reader").isPositive();
            }
            assertThat(store.historySize()).isEqualTo((long) BATCHES * BATCH_SIZE);
            assertThat(store.latest("p0")).get().extracting(Heartbeat::receivedAt)
                    .isEqualTo((long) BATCHES * BATCH_SIZE - PRODUCERS);
        } finally {
            threads.shutdownNow();
        }
    }

    private static void writeAll(HeartbeatStore store) {
        long time = 0;
        for (int b = 0; b < BATCHES; b++) {
            List<Heartbeat> batch = new ArrayList<>(BATCH_SIZE);
            for (int i = 0; i < BATCH_SIZE; i++, time++) {
                String producer = "p" + (time % PRODUCERS);
                batch.add(new Heartbeat(producer, Location.label("room" + (time % 3)), "{\"t\":" + time + "}",
                        "127.0.0.1", time, null, time));
            }
            store.append(batch);
        }
    }

    /** Reads in a loop; every value a reader sees must never go backwards. Returns the number of rounds. */
    private static int readUntilDone(HeartbeatStore store, AtomicBoolean writing) {
        long lastSize = 0;
        long lastLatest = -1;
        int rounds = 0;
        while (writing.get() || rounds == 0) {
            long size = store.historySize();
            assertThat(size).isGreaterThanOrEqualTo(lastSize).isEqualTo(size / BATCH_SIZE * BATCH_SIZE);
            lastSize = size;
            long latest = store.latest("p3").map(Heartbeat::receivedAt).orElse(-1L);
            assertThat(latest).isGreaterThanOrEqualTo(lastLatest);
            lastLatest = latest;
            List<Heartbeat> history = store.history("p3", 0, Long.MAX_VALUE, 50);
            assertThat(history).isSortedAccordingTo((a, b) -> Long.compare(a.receivedAt(), b.receivedAt()));
            store.latestAtLabel("room1");
            rounds++;
        }
        return rounds;
    }
}
