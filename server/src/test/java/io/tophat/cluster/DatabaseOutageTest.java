package io.tophat.cluster;

import io.tophat.embedded.EmbeddedCluster;
import io.tophat.store.StoreTarget;
import io.tophat.testing.ConnectionCutter;
import io.tophat.testing.Http;
import io.tophat.testing.PgTestDatabase;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL gone for 5 s under load (a relay in front of it drops every connection and refuses new ones): two
 * workers sharing it answer 503 and acknowledge nothing while it is away, take heartbeats again by themselves
 * when it is back, and every heartbeat acknowledged before, during or after is in the database, by exact
 * (producer, seq). Figures on lines starting with {@code [db-outage]}.
 */
@Timeout(120)
class DatabaseOutageTest {
    private static final int PRODUCERS = 20;

    @TempDir
    Path dir;

    @Test
    void five_seconds_without_the_database_lose_no_acknowledged_heartbeat() throws Exception {
        PgTestDatabase.Server pg = PgTestDatabase.server();
        Vertx vertx = Vertx.vertx();
        String schema = PgTestDatabase.schema("outage-" + dir);
        ConnectionCutter database = ConnectionCutter.start(vertx, pg.host(), pg.port());
        String url = PgTestDatabase.urlWithSchemaAt(schema, "127.0.0.1", database.port());
        try (EmbeddedCluster cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c.withStore(new StoreTarget(url, null)))
                .start(0, 2)) {
            ProducerLoad load = ProducerLoad.start(cluster.balancerUri(), "db", PRODUCERS, Duration.ofMillis(100));
            try {
                load.awaitAllAcknowledgedAfter(Long.MIN_VALUE, Duration.ofSeconds(30));
                String worker = load.phone("db0").ackWorker;

                database.refuse(true);
                Thread.sleep(1000);
                long ackedEarly = load.acknowledgedCount();
                HttpResponse<String> refused = Http.postJson(worker + "/api/v1/heartbeats",
                        "{\"id\":\"probe\",\"location\":{\"lat\":1,\"lon\":2},\"data\":{}}");
                Thread.sleep(4000);
                long ackedLate = load.acknowledgedCount();
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(ackedLate).as("heartbeats acknowledged while the database was away").isEqualTo(ackedEarly);

                database.refuse(false);
                long back = System.nanoTime();
                int code = 0;
                while (code != 200 && System.nanoTime() - back < 10_000_000_000L) {
                    code = Http.postJson(worker + "/api/v1/heartbeats",
                            "{\"id\":\"probe\",\"location\":{\"lat\":1,\"lon\":2},\"data\":{}}").statusCode();
                    if (code != 200) {
                        Thread.sleep(20);
                    }
                }
                long workerMs = (System.nanoTime() - back) / 1_000_000;
                load.awaitAllAcknowledgedAfter(back, Duration.ofSeconds(20));
                long producersMs = (System.nanoTime() - back) / 1_000_000;
                Thread.sleep(1000);
                load.stop();

                Map<String, Set<Long>> acknowledged = load.acknowledged();
                Set<String> stored = new HashSet<>();
                try (Connection c = DriverManager.getConnection(PgTestDatabase.urlWithSchema(schema));
                     Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT producer, seq FROM heartbeats WHERE seq IS NOT NULL")) {
                    while (rs.next()) {
                        stored.add(rs.getString(1) + "/" + rs.getLong(2));
                    }
                }
                long total = 0;
                long missing = 0;
                for (Map.Entry<String, Set<Long>> e : acknowledged.entrySet()) {
                    for (Long seq : e.getValue()) {
                        total++;
                        if (!stored.contains(e.getKey() + "/" + seq)) {
                            missing++;
                        }
                    }
                }
                System.out.println("[db-outage] " + PRODUCERS + " producers on 2 workers sharing PostgreSQL, the "
                        + "database away 5 s: " + (ackedLate - ackedEarly) + " acknowledged meanwhile, a worker "
                        + "answered " + refused.statusCode() + "; it took heartbeats again " + workerMs + " ms after "
                        + "the database came back, every producer was acknowledged again after " + producersMs
                        + " ms; " + total + " acknowledged heartbeats, " + missing + " missing from the database");
                assertThat(code).isEqualTo(200);
                assertThat(workerMs).as("ms until a worker takes heartbeats again").isLessThanOrEqualTo(2000);
                assertThat(missing).as("acknowledged heartbeats missing").isZero();
            } finally {
                load.stop();
            }
        } finally {
            database.close();
            vertx.close();
            PgTestDatabase.drop(schema);
        }
    }
}
