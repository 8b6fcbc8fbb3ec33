package io.tophat.postgres;

import io.tophat.balancer.BalancerConfig;
import io.tophat.balancer.BalancerServer;
import io.tophat.http.VertxRuntime;
import io.tophat.store.HeartbeatStores;
import io.tophat.store.StoreTarget;
import io.tophat.testing.ConnectionCutter;
import io.tophat.testing.Http;
import io.tophat.testing.PgTestDatabase;
import io.tophat.worker.WorkerConfig;
import io.tophat.worker.WorkerServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A balancer whose shared state's database goes away (through a relay the test cuts): registrations answer 503
 * and change nothing, consumers of known producers are still redirected from memory, and when the database is
 * back registrations work again by themselves, with nothing in the state that was refused.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedStateOutageTest {
    @TempDir
    static Path dir;

    private final Vertx vertx = VertxRuntime.create();
    private ConnectionCutter database;
    private String schema;
    private BalancerServer balancer;
    private WorkerServer worker;

    @BeforeAll
    void start() {
        PgTestDatabase.Server pg = PgTestDatabase.server();
        database = ConnectionCutter.start(vertx, pg.host(), pg.port());
        schema = PgTestDatabase.schema("outage-" + dir);
        String url = PgTestDatabase.urlWithSchemaAt(schema, "127.0.0.1", database.port());
        balancer = BalancerServer.open(vertx, new BalancerConfig("127.0.0.1", 0, dir.resolve("balancer"))
                .withLeaseInterval(Duration.ofMillis(500)).withStore(new StoreTarget(url, null)));
        join(balancer.start());
        WorkerConfig config = WorkerConfig.embedded(List.of(URI.create("http://127.0.0.1:" + balancer.port())),
                dir.resolve("worker"));
        worker = new WorkerServer(vertx, config, HeartbeatStores.open(config.storage().store(),
                config.storage().dataDir(), config.storage().synchronous()));
        join(worker.start());
    }

    @AfterAll
    void stop() {
        if (worker != null) {
            join(worker.stop());
        }
        if (balancer != null) {
            join(balancer.stop());
        }
        if (database != null) {
            database.close();
            PgTestDatabase.drop(schema);
        }
        join(vertx.close());
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> register(String id) {
        return Http.get("http://127.0.0.1:" + balancer.port() + "/register/" + id);
    }

    @Test
    void registrations_wait_for_the_database_and_known_producers_are_still_served() throws Exception {
        assertThat(register("o1").statusCode()).isEqualTo(200);

        database.refuse(true);
        HttpResponse<String> refused = register("o2");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.body()).contains("balancer state unavailable");
        HttpResponse<String> again = register("o3");
        assertThat(again.statusCode()).as("refused before anything changes").isEqualTo(503);
        assertThat(balancer.balancer().assignments()).containsOnlyKeys("o1");
        HttpResponse<String> redirect = Http.get("http://127.0.0.1:" + balancer.port() + "/get_data/o1");
        assertThat(redirect.statusCode()).as("a known producer is still redirected").isEqualTo(302);

        database.refuse(false);
        long back = System.nanoTime();
        int code = 0;
        while (code != 200 && System.nanoTime() - back < 10_000_000_000L) {
            code = register("o2").statusCode();
            if (code != 200) {
                Thread.sleep(50);
            }
        }
        long recoveredMs = (System.nanoTime() - back) / 1_000_000;
        System.out.println("[shared-state-outage] registrations recovered " + recoveredMs + " ms after the database came back");
        assertThat(code).isEqualTo(200);
        assertThat(recoveredMs).isLessThanOrEqualTo(2000);

        List<String> stored = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(PgTestDatabase.urlWithSchema(schema));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT producer FROM assignments ORDER BY producer")) {
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
        }
        assertThat(stored).as("what the database holds").containsExactly("o1", "o2");
        assertThat(balancer.balancer().assignments()).containsOnlyKeys("o1", "o2");
    }
}
