package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The inbox and its merge into the history: what readers see before, during and after it. */
@Timeout(60)
class SqliteInboxMergeTest {

    @TempDir
    Path dir;

    private static Heartbeat beat(String producer, long at, long seq) {
        return new Heartbeat(producer, Location.of(56.34, -2.79), "{\"seq\":" + seq + "}", "10.0.0.7", at, null, seq);
    }

    private SqliteHeartbeatStore open() {
        return SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(dir.resolve("heartbeats.db")));
    }

    @Test
    void reads_give_the_same_answer_before_and_after_the_merge() {
        try (SqliteHeartbeatStore store = open()) {
            List<Heartbeat> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                batch.add(beat("p" + (i % 10), 1000 + i, i));
            }
            store.append(batch);
            Heartbeat latestBefore = store.latest("p3").orElseThrow();
            List<Heartbeat> historyBefore = store.history("p3", 0, Long.MAX_VALUE, 1000);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.backlog() == 0);
            assertThat(store.latest("p3")).contains(latestBefore);
            assertThat(store.history("p3", 0, Long.MAX_VALUE, 1000)).isEqualTo(historyBefore).hasSize(100);
            assertThat(latestBefore.seq()).isEqualTo(993);
            assertThat(store.historySize()).isEqualTo(1000);
        }
    }

    @Test
    void a_heartbeat_that_is_not_the_newest_stays_readable_while_the_newest_is_merged_before_it() {
        try (SqliteHeartbeatStore store = open()) {
            // the second was stamped a millisecond earlier (on another event loop) but queued later: it is not the
            // producer's newest, yet it must stay visible while only the first is merged
            store.append(List.of(beat("p", 2000, 1), beat("p", 1999, 2)));
            long merged = store.mergeNext(1);
            Assumptions.assumeTrue(merged == 1, "the merger thread merged both first (a machine stalled over 1 s)");
            assertThat(store.backlog()).isEqualTo(1);
            assertThat(store.history("p", 0, Long.MAX_VALUE, 10)).extracting(Heartbeat::seq).containsExactly(2L, 1L);
            assertThat(store.latest("p").orElseThrow().seq()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.backlog() == 0);
            assertThat(store.history("p", 0, Long.MAX_VALUE, 10)).extracting(Heartbeat::seq).containsExactly(2L, 1L);
            assertThat(store.latest("p").orElseThrow().seq()).isEqualTo(1);
        }
    }

    @Test
    void heartbeats_left_in_the_inbox_by_a_crash_are_readable_and_merged_after_reopening() throws Exception {
        try (SqliteHeartbeatStore store = open()) {
            store.append(List.of(beat("p", 1000, 1)));
        }
        // As if the process died right after committing two more batches to the inbox, before any merge.
        try (Connection inbox = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("heartbeats-inbox.db"));
             PreparedStatement st = inbox.prepareStatement("INSERT INTO inbox (producer, received_at, seq, location,"
                     + " lat, lon, data, ip_address) VALUES ('p', ?, ?, '{\"lat\":1.0,\"lon\":2.0}', 1.0, 2.0, ?, '10.0.0.7')")) {
            for (int seq = 2; seq <= 3; seq++) {
                st.setLong(1, 1000 + seq);
                st.setLong(2, seq);
                st.setString(3, "{\"seq\":" + seq + "}");
                st.executeUpdate();
            }
        }
        try (SqliteHeartbeatStore store = open()) {
            assertThat(store.latest("p").orElseThrow().seq()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.backlog() == 0);
            assertThat(store.history("p", 0, Long.MAX_VALUE, 10)).extracting(Heartbeat::seq).containsExactly(1L, 2L, 3L);
        }
    }

    @Test
    void a_retry_arriving_after_its_original_was_merged_is_not_stored_twice_and_does_not_move_the_latest() {
        try (SqliteHeartbeatStore store = open()) {
            store.append(List.of(beat("p", 1000, 7)));
            await().atMost(Duration.ofSeconds(10)).until(() -> store.backlog() == 0);
            Heartbeat retry = new Heartbeat("p", Location.of(1, 2), "{\"retry\":true}", "10.0.0.8", 5000, null, 7L);
            store.append(List.of(retry));
            assertThat(store.latest("p").orElseThrow().receivedAt()).isEqualTo(1000);
            assertThat(store.history("p", 0, Long.MAX_VALUE, 10)).hasSize(1);
            assertThat(store.historySize()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.backlog() == 0);
            assertThat(store.latest("p").orElseThrow().receivedAt()).isEqualTo(1000);
            assertThat(store.historySize()).isEqualTo(1);
        }
    }

    @Test
    void a_reader_while_the_merger_runs_never_misses_nor_repeats_a_heartbeat() throws Exception {
        try (SqliteHeartbeatStore store = open()) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<String> problem = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                int seen = 0;
                while (writing.get() && problem.get() == null) {
                    List<Heartbeat> history = store.history("watched", 0, Long.MAX_VALUE, 100_000);
                    Set<Long> seqs = new HashSet<>();
                    history.forEach(hb -> seqs.add(hb.seq()));
                    if (seqs.size() != history.size()) {
                        problem.set("a heartbeat was read twice");
                    } else if (history.size() < seen) {
                        problem.set("history shrank from " + seen + " to " + history.size());
                    }
                    seen = history.size();
                }
            });
            reader.start();
            long seq = 0;
            for (int b = 0; b < 100; b++) {
                List<Heartbeat> batch = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    seq++;
                    batch.add(beat(i == 0 ? "watched" : "other-" + (i % 50), seq, seq));
                }
                store.append(batch);
            }
            writing.set(false);
            reader.join();
            assertThat(problem.get()).isNull();
            assertThat(store.history("watched", 0, Long.MAX_VALUE, 1000)).hasSize(100);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.backlog() == 0);
            assertThat(store.history("watched", 0, Long.MAX_VALUE, 1000)).hasSize(100);
            assertThat(store.historySize()).isEqualTo(50_000);
        }
    }
}
