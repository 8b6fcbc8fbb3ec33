package io.tophat.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.store.StoreTarget;
import io.tophat.testing.ConnectionCutter;
import io.tophat.testing.Http;
import io.tophat.testing.PgTestDatabase;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two workers sharing the machine's PostgreSQL (through a relay that can make the database vanish): they report
 * one store; a producer's history through the balancer is whole from either; while the database is away ingest
 * answers 503 with Retry-After and the latest is still served from the cache; when it is back, ingest recovers by
 * itself within 2 s; a worker that left leaves its producers' data readable at once through the other.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedDatabaseTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private final Vertx vertx = Vertx.vertx();
    private ConnectionCutter database;
    private EmbeddedCluster cluster;
    private String schema;

    @BeforeAll
    void start() {
        PgTestDatabase.Server pg = PgTestDatabase.server();
        database = ConnectionCutter.start(vertx, pg.host(), pg.port());
        schema = PgTestDatabase.schema("shared-" + dir);
        String url = PgTestDatabase.urlWithSchemaAt(schema, "127.0.0.1", database.port());
        StoreTarget target = new StoreTarget(url, null);
        // a worker that leaves does not wait for its producers to move: the test reads their history at once
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c.withStore(target).withDrainTimeout(Duration.ZERO))
                .start(0, 2);
    }

    @AfterAll
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (database != null) {
            database.close();
            PgTestDatabase.drop(schema);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private String register(String id) {
        return Http.get(cluster.balancerUri() + "/register/" + id).body().strip();
    }

    private static HttpResponse<String> send(String worker, String id, long seq) {
        return Http.postJson(worker + "/api/v1/heartbeats", "{\"id\":\"" + id + "\",\"seq\":" + seq
                + ",\"location\":{\"lat\":56.34,\"lon\":-2.79},\"data\":{\"n\":" + seq + "}}");
    }

    private JsonNode history(String id) throws Exception {
        HttpResponse<String> h = Http.getFollowing(cluster.balancerUri() + "/api/v1/producers/" + id + "/history?order=asc");
        assertThat(h.statusCode()).as(h.body()).isEqualTo(200);
        return JSON.readTree(h.body());
    }

    @Test
    void workers_on_one_database_share_it_survive_its_absence_and_serve_each_others_producers() throws Exception {
        JsonNode status = JSON.readTree(Http.get(cluster.balancerUri() + "/api/v1/cluster").body());
        Set<String> stores = new HashSet<>();
        status.path("workers").forEach(w -> stores.add(w.path("store").asText()));
        assertThat(stores).as("one store for both workers").hasSize(1);

        Map<String, String> workerOf = new LinkedHashMap<>();
        for (int p = 0; p < 6; p++) {
            workerOf.put("pg" + p, register("pg" + p));
        }
        assertThat(new HashSet<>(workerOf.values())).hasSize(2);
        for (long seq = 1; seq <= 3; seq++) {
            for (Map.Entry<String, String> e : workerOf.entrySet()) {
                assertThat(send(e.getValue(), e.getKey(), seq).statusCode()).isEqualTo(200);
            }
        }
        for (String id : workerOf.keySet()) {
            JsonNode page = history(id);
            assertThat(page.path("complete").asBoolean()).isTrue();
            assertThat(page.path("heartbeats")).hasSize(3);
        }

        // the database goes away: nothing is acknowledged, the latest is still served
        database.refuse(true);
        String worker = workerOf.get("pg0");
        HttpResponse<String> refused = send(worker, "pg0", 4);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.body()).contains("store unavailable");
        HttpResponse<String> latest = Http.get(worker + "/api/v1/producers/pg0");
        assertThat(latest.statusCode()).as(latest.body()).isEqualTo(200);
        assertThat(JSON.readTree(latest.body()).path("seq").asLong()).isEqualTo(3);

        // it comes back: the same heartbeat, sent again, is stored
        database.refuse(false);
        long back = System.nanoTime();
        int code = 0;
        while (System.nanoTime() - back < 10_000_000_000L) {
            code = send(worker, "pg0", 4).statusCode();
            if (code == 200) {
                break;
            }
            Thread.sleep(50);
        }
        long recoveredMs = (System.nanoTime() - back) / 1_000_000;
        System.out.println("[shared-db] ingest recovered " + recoveredMs + " ms after the database came back");
        assertThat(code).isEqualTo(200);
        assertThat(recoveredMs).as("ms until ingest recovered").isLessThanOrEqualTo(2000);

        // a worker leaves: its producers' history is read from the shared database through the other at once
        int leaving = cluster.worker(0).url().equals(worker) ? 0 : 1;
        cluster.stopWorker(leaving);
        JsonNode page = history("pg0");
        assertThat(page.path("complete").asBoolean()).isTrue();
        assertThat(page.path("heartbeats")).extracting(h -> h.path("seq").asLong()).containsExactly(1L, 2L, 3L, 4L);
    }
}
