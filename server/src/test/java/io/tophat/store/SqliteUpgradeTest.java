package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A heartbeat store written by the version before issue 11 (schema V3: no {@code time} column, history ordered by
 * receipt) is upgraded in place when opened: its heartbeats are kept, carry their time, and history orders them
 * by it; every store gets the secret that proves its identity.
 */
@Timeout(60)
class SqliteUpgradeTest {
    @TempDir
    Path dir;

    @Test
    void a_store_of_the_previous_schema_is_upgraded_in_place_and_orders_its_old_rows_by_time() throws Exception {
        Path file = dir.resolve("heartbeats.db");
        Flyway.configure().dataSource("jdbc:sqlite:" + file, null, null)
                .locations("classpath:db/heartbeats/sqlite").table("heartbeats_schema_history").target("3")
                .load().migrate();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
            // the phone sent the second point late: it arrived last, but its own time puts it first
            st.executeUpdate("INSERT INTO heartbeats (producer, received_at, seq, device_time, location, lat, lon, label,"
                    + " data, ip_address) VALUES ('old', 1000, 1, NULL, '{\"lat\":1.0,\"lon\":2.0}', 1.0, 2.0, NULL, '1', 'ip'),"
                    + " ('old', 3000, 3, 500, '{\"lat\":1.0,\"lon\":2.0}', 1.0, 2.0, NULL, '3', 'ip'),"
                    + " ('old', 2000, 2, NULL, '\"home\"', NULL, NULL, 'home', '2', 'ip')");
            st.executeUpdate("INSERT INTO latest (producer, received_at, seq, device_time, location, lat, lon, label, data,"
                    + " ip_address) VALUES ('old', 2000, 2, NULL, '\"home\"', NULL, NULL, 'home', '2', 'ip')");
        }
        try (SqliteHeartbeatStore store = SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(file))) {
            List<Heartbeat> history = store.history("old", 0, Long.MAX_VALUE, 10);
            assertThat(history).extracting(Heartbeat::seq).containsExactly(3L, 1L, 2L);
            assertThat(history).extracting(Heartbeat::time).containsExactly(500L, 1000L, 2000L);
            List<StoredHeartbeat> newest = store.history(new HistoryQuery("old", 0, Long.MAX_VALUE, true, null, 2));
            assertThat(newest).extracting(s -> s.heartbeat().seq()).containsExactly(2L, 1L);
            assertThat(store.history(new HistoryQuery("old", 0, Long.MAX_VALUE, true, newest.get(1).position(), 2)))
                    .extracting(s -> s.heartbeat().seq()).containsExactly(3L);
            assertThat(store.latest("old")).map(Heartbeat::data).hasValue("2");
            assertThat(store.identityProof()).hasSize(64);
        }
    }
}
