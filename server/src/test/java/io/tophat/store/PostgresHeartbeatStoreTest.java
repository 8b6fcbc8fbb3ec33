package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import io.tophat.testing.ConnectionCutter;
import io.tophat.testing.PgTestDatabase;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store contract on the machine's PostgreSQL (each test in a schema of its own), and what is PostgreSQL's
 * own: a shared identity, monthly partitions that retention drops whole, labels PostgreSQL text cannot hold.
 */
class PostgresHeartbeatStoreTest extends HeartbeatStoreContract {
    private final List<String> schemas = new ArrayList<>();

    @BeforeAll
    static void requirePostgres() {
        PgTestDatabase.url(); // skips the class, saying so, without TOPHAT_TEST_PG_URL
    }

    @Override
    protected HeartbeatStore open(Path dir) {
        String schema = PgTestDatabase.schema(dir.toString());
        if (!schemas.contains(schema)) {
            schemas.add(schema);
        }
        return PostgresHeartbeatStore.open(PostgresStoreConfig.of(PgTestDatabase.urlWithSchema(schema), null));
    }

    @AfterEach
    void dropSchemas() {
        store.close();
        schemas.forEach(PgTestDatabase::drop);
    }

    @Test
    void two_workers_on_one_database_share_its_identity_and_see_each_others_heartbeats() {
        try (HeartbeatStore other = open(dir)) {
            assertThat(other.identity()).isEqualTo(store.identity());
            assertThat(other.identityProof()).isEqualTo(store.identityProof());
            assertThat(other.shared()).isTrue();
            UUID.fromString(store.identity());
            long first = store.append(List.of(beat("p1", 100, 1L, "1")));
            long second = other.append(List.of(beat("p1", 200, 2L, "2"), beat("p1", 201, 1L, "\"retry elsewhere\"")));
            assertThat(second).isEqualTo(first + 1);
            assertThat(store.history("p1", 0, Long.MAX_VALUE, 10)).extracting(Heartbeat::seq).containsExactly(1L, 2L);
            assertThat(store.committedAfter(first - 1, null, 10)).extracting(s -> s.position().key())
                    .containsExactly(first, second);
            assertThat(store.lastKey()).isEqualTo(second + 1);
        }
    }

    @Test
    void heartbeats_land_in_their_months_partition_and_retention_drops_whole_months() throws Exception {
        long now = System.currentTimeMillis();
        long lastMonth = Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC).minusMonths(1).toInstant().toEpochMilli();
        store.close();
        // a store opened last month made that month's partition
        String schema = PgTestDatabase.schema(dir.toString());
        try (Connection c = DriverManager.getConnection(PgTestDatabase.urlWithSchema(schema))) {
            PostgresPartitions.createAhead(c, lastMonth);
        }
        store = open(dir);
        store.append(List.of(new Heartbeat("p", Location.of(1, 2), "1", null, now, lastMonth, 1L),
                new Heartbeat("p", Location.of(1, 2), "2", null, now, null, 2L),
                new Heartbeat("p", Location.of(1, 2), "3", null, now, 1000L, 3L)));
        try (Connection c = DriverManager.getConnection(PgTestDatabase.urlWithSchema(schema));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT tableoid::regclass::text, seq FROM heartbeats ORDER BY seq")) {
            List<String> where = new ArrayList<>();
            while (rs.next()) {
                where.add(rs.getString(1).replace(schema + ".", "") + ":" + rs.getLong(2));
            }
            assertThat(where).hasSize(3);
            assertThat(where.get(0)).startsWith("heartbeats_p").endsWith(":1");
            assertThat(where.get(1)).startsWith("heartbeats_p").endsWith(":2").isNotEqualTo(where.get(0));
            assertThat(where.get(2)).isEqualTo("heartbeats_default:3");
        }
        long startOfThisMonth = Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC).withDayOfMonth(1).toLocalDate()
                .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        assertThat(store.expire(startOfThisMonth, 10, false)).as("last month's partition, dropped whole").isEqualTo(1);
        assertThat(store.expire(startOfThisMonth, 10, false)).as("then the old row of the default partition").isEqualTo(1);
        assertThat(store.expire(startOfThisMonth, 10, false)).isZero();
        assertThat(store.history("p", 0, Long.MAX_VALUE, 10)).extracting(Heartbeat::seq).containsExactly(2L);
    }

    @Test
    void a_label_postgresql_text_cannot_hold_is_kept_and_found() {
        Heartbeat nul = new Heartbeat("p", Location.label("a\u0000b"), "1", null, 100, null, 1L);
        Heartbeat escaped = new Heartbeat("p", Location.label("a\\0b"), "2", null, 200, null, 2L);
        store.append(List.of(nul, escaped));
        assertThat(store.latestAtLabel("a\u0000b")).contains(nul);
        assertThat(store.latestAtLabel("a\\0b")).contains(escaped);
        assertThat(store.latest("p")).contains(escaped);
    }

    @Test
    void the_password_never_travels_in_the_url_and_the_description_holds_no_secret() {
        assertThatThrownBy(() -> PostgresStoreConfig.of("jdbc:postgresql://h/db?user=u&password=p", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TOPHAT_STORE_PASSWORD");
        assertThat(PostgresStoreConfig.of("jdbc:postgresql://db.example:5433/tophat?user=tophat&currentSchema=s1",
                "secret").description()).isEqualTo("postgresql://db.example:5433/tophat (schema s1)");
        assertThat(store.description()).doesNotContain("user=");
        PostgresStoreConfig config = PostgresStoreConfig.of("jdbc:postgresql://db/tophat?user=tophat", "s3cr3t-pw");
        assertThat(config.toString()).contains("jdbc:postgresql://db/tophat").doesNotContain("s3cr3t-pw");
        assertThat(new StoreTarget(config.url(), "s3cr3t-pw").toString()).doesNotContain("s3cr3t-pw");
    }

    @Test
    void connections_cut_while_pooled_are_replaced_under_the_next_call() throws Exception {
        Vertx vertx = Vertx.vertx();
        PgTestDatabase.Server pg = PgTestDatabase.server();
        try (ConnectionCutter link = ConnectionCutter.start(vertx, pg.host(), pg.port())) {
            String schema = PgTestDatabase.schema(dir + "-cut");
            schemas.add(schema);
            try (HeartbeatStore cut = PostgresHeartbeatStore.open(PostgresStoreConfig.of(
                    PgTestDatabase.urlWithSchemaAt(schema, "127.0.0.1", link.port()), null))) {
                cut.append(List.of(beat("p", 100, 1L, "1")));
                link.cutAll(); // the pool has not looked at its connections since they were used moments ago
                assertThat(cut.history("p", 0, Long.MAX_VALUE, 10)).extracting(Heartbeat::seq).containsExactly(1L);
                link.cutAll();
                cut.append(List.of(beat("p", 200, 2L, "2")));
                assertThat(cut.latest("p")).map(Heartbeat::seq).contains(2L);
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
