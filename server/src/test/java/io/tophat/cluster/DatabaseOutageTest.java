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
 * workers sharing it answer 503 with Retry-After and acknowledge nothing while it is away; within 2 s of its return
 * every producer is acknowledged again and the acknowledged rate is back to what it was before (90% of it, over a
 * second); every heartbeat acknowledged before, during or after is in the database, by exact (producer, seq).
 * Figures on lines starting with {@code [db-outage]}.
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
        try (EmbeddedCluster cluster = new EmbeddedCluster(dir, "127.0.0.1",
                c -> c.withStore(new StoreTarget(url, null)).withDrainTimeout(Duration.ZERO))
                .start(0, 2)) {
            ProducerLoad load = ProducerLoad.start(cluster.balancerUri(), "db", PRODUCERS, Duration.ofMillis(100));
            try {
                load.awaitAllAcknowledgedAfter(Long.MIN_VALUE, Duration.ofSeconds(30));
                String worker = load.phone("db0").ackWorker;
                long before = System.nanoTime();
                Thread.sleep(1000);
                long ratePerSecond = load.acknowledgedBetween(before, before + 1_000_000_000L);

                database.refuse(true);
                Thread.sleep(1000);
                long ackedEarly = load.acknowledgedCount();
                HttpResponse<String> refused = probe(worker);
                Thread.sleep(4000);
                long ackedLate = load.acknowledgedCount();
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).as("Retry-After on a 503").hasValue("1");
                assertThat(ackedLate).as("heartbeats acknowledged while the database was away").isEqualTo(ackedEarly);

                database.refuse(false);
                long back = System.nanoTime();
                HttpResponse<String> answer = probe(worker);
                while (answer.statusCode() != 200 && System.nanoTime() - back < 10_000_000_000L) {
                    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
                    assertThat(answer.headers().firstValue("Retry-After")).as("Retry-After on a 503").isPresent();
                    Thread.sleep(20);
                    answer = probe(worker);
                }
                long workerMs = (System.nanoTime() - back) / 1_000_000;
                load.awaitAllAcknowledgedAfter(back, Duration.ofSeconds(20));
                long producersMs = (System.nanoTime() - back) / 1_000_000;
                long second = 1_000_000_000L;
                Thread.sleep(Math.max(0, (back + 3 * second - System.nanoTime()) / 1_000_000));
                load.stop();
                long rateAfter = load.acknowledgedBetween(back + 2 * second, back + 3 * second);
                long fullSpeedMs = -1;
                for (long t = back; t + second <= back + 3 * second && fullSpeedMs < 0; t += 20_000_000L) {
                    if (load.acknowledgedBetween(t, t + second) >= ratePerSecond * 9 / 10) {
                        fullSpeedMs = (t - back) / 1_000_000;
                    }
                }

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
                System.out.println("[db-outage] " + PRODUCERS + " producers on 2 workers sharing PostgreSQL, "
                        + ratePerSecond + " heartbeats/s acknowledged before; the database away 5 s: "
                        + (ackedLate - ackedEarly) + " acknowledged meanwhile, a worker answered "
                        + refused.statusCode() + " with Retry-After " + refused.headers().firstValue("Retry-After")
                        .orElse("-") + "; after it came back a worker took heartbeats again at " + workerMs
                        + " ms, every producer was acknowledged again at " + producersMs + " ms, 90% of the rate "
                        + "before from " + fullSpeedMs + " ms, " + rateAfter + " heartbeats/s from 2 s on; " + total
                        + " acknowledged heartbeats, " + missing + " missing from the database");
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(producersMs).as("ms until every producer is acknowledged again").isLessThanOrEqualTo(2000);
                assertThat(fullSpeedMs).as("ms until the acknowledged rate is 90% of the rate before")
                        .isBetween(0L, 2000L);
                assertThat(rateAfter).as("heartbeats/s acknowledged from 2 s after the database came back, against "
                        + ratePerSecond + " before").isGreaterThanOrEqualTo(ratePerSecond * 9 / 10);
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

    private static HttpResponse<String> probe(String worker) {
        return Http.postJson(worker + "/api/v1/heartbeats",
                "{\"id\":\"probe\",\"location\":{\"lat\":1,\"lon\":2},\"data\":{}}");
    }
}
