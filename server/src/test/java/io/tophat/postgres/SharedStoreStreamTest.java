package io.tophat.postgres;

import io.tophat.client.ConsumerConfig;
import io.tophat.client.StreamedHeartbeat;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.Watch;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.store.StoreTarget;
import io.tophat.testing.Http;
import io.tophat.testing.PgTestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The firehose through the balancer over two workers sharing one PostgreSQL database: the balancer follows one
 * worker for the store, which streams every worker's commits, so each heartbeat comes once (those without a seq
 * too); when that worker leaves, the other takes over from the token and nothing is missed.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedStoreStreamTest {
    @TempDir
    static Path dir;

    private EmbeddedCluster cluster;
    private String schema;

    @BeforeAll
    void start() {
        schema = PgTestDatabase.schema("stream-" + dir);
        StoreTarget target = new StoreTarget(PgTestDatabase.urlWithSchema(schema), null);
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c.withStore(target)).start(0, 2);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
            PgTestDatabase.drop(schema);
        }
    }

    private static void send(String worker, String id, int n) {
        HttpResponse<String> r = Http.postJson(worker + "/api/v1/heartbeats", "{\"id\":\"" + id
                + "\",\"location\":{\"lat\":1,\"lon\":2},\"data\":{\"n\":" + n + "}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void the_firehose_over_a_shared_store_has_each_heartbeat_once_across_a_worker_leaving() throws Exception {
        List<String> ids = List.of("ss0", "ss1", "ss2", "ss3");
        List<String> workers = new ArrayList<>();
        for (String id : ids) {
            workers.add(Http.get(cluster.balancerUri() + "/register/" + id).body().strip());
        }
        assertThat(new HashSet<>(workers)).hasSize(2);
        List<StreamedHeartbeat> got = new CopyOnWriteArrayList<>();
        TopHatConsumer consumer = new TopHatConsumer(ConsumerConfig.of(cluster.balancerUri()));
        try (Watch watch = consumer.watchAll(null, got::add)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> watch.token() != null);
            for (int n = 0; n < 10; n++) {
                for (int i = 0; i < ids.size(); i++) {
                    send(workers.get(i), ids.get(i), n);
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> got.size() >= 40);
            cluster.stopWorker(0);
            for (int n = 10; n < 15; n++) {
                for (String id : ids) {
                    send(Http.get(cluster.balancerUri() + "/register/" + id).body().strip(), id, n);
                }
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> got.size() >= 60);
            Thread.sleep(500);
            Set<String> seen = new HashSet<>();
            for (StreamedHeartbeat e : got) {
                assertThat(seen.add(e.heartbeat().producer() + "/" + e.heartbeat().data()))
                        .as("once: " + e.heartbeat().producer() + " " + e.heartbeat().data()).isTrue();
            }
            assertThat(got).hasSize(60);
        }
    }
}
