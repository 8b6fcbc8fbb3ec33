package io.tophat.postgres;

import io.tophat.balancer.Assignment;
import io.tophat.balancer.BalancerConfig;
import io.tophat.balancer.BalancerServer;
import io.tophat.store.HeartbeatStores;
import io.tophat.store.StoreTarget;
import io.tophat.testing.Http;
import io.tophat.testing.PgTestDatabase;
import io.tophat.http.VertxRuntime;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two balancers sharing their state in the machine's PostgreSQL, two workers registered with both: a producer
 * registered at either is found at the other at once (it looks the producer up), with one worker and one epoch; epochs are never given twice; a move
 * decided at one outranks the old assignment at the other; an erasure and an area reach the other; a balancer
 * that restarts has everything.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharedBalancerStateTest {
    @TempDir
    static Path dir;

    private final Vertx vertx = VertxRuntime.create();
    private final List<WorkerServer> workers = new ArrayList<>();
    private String schema;
    private StoreTarget target;
    private BalancerServer a;
    private BalancerServer b;

    @BeforeAll
    void start() {
        schema = PgTestDatabase.schema("balancers-" + dir);
        target = new StoreTarget(PgTestDatabase.urlWithSchema(schema), null);
        a = balancer("a", 0);
        b = balancer("b", 0);
        for (int i = 0; i < 2; i++) {
            WorkerConfig config = WorkerConfig.embedded(List.of(uri(a), uri(b)), dir.resolve("worker-" + i));
            WorkerServer worker = new WorkerServer(vertx, config, HeartbeatStores.open(config.storage().store(),
                    config.storage().dataDir(), config.storage().synchronous()));
            join(worker.start());
            workers.add(worker);
        }
    }

    @AfterAll
    void stop() {
        workers.forEach(w -> join(w.stop()));
        for (BalancerServer s : new BalancerServer[]{a, b}) {
            if (s != null) {
                join(s.stop());
            }
        }
        join(vertx.close());
        if (schema != null && target != null) {
            PgTestDatabase.drop(schema);
        }
    }

    private BalancerServer balancer(String name, int port) {
        BalancerServer server = BalancerServer.open(vertx, new BalancerConfig("127.0.0.1", port, dir.resolve(name))
                .withLeaseInterval(Duration.ofMillis(500)).withStore(target));
        join(server.start());
        return server;
    }

    private static URI uri(BalancerServer s) {
        return URI.create("http://127.0.0.1:" + s.port());
    }

    private static <T> T join(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String register(BalancerServer s, String id, String failed) {
        HttpResponse<String> r = Http.get(uri(s) + "/register/" + id + (failed == null ? "" : "?failed=" + failed));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body().strip();
    }

    private void awaitAgreed(String id) {
        await().atMost(Duration.ofSeconds(3)).until(() -> {
            Assignment x = a.balancer().assignments().get(id);
            return x != null && x.equals(b.balancer().assignments().get(id));
        });
    }

    @Test
    void balancers_sharing_a_database_agree_on_every_producer_and_never_give_one_epoch_twice() {
        Set<Long> epochs = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            String id = "sb" + i;
            BalancerServer at = i % 2 == 0 ? a : b;
            BalancerServer other = i % 2 == 0 ? b : a;
            String worker = register(at, id, null);
            // at once, before the other has read the change log: it looks the producer up in the database
            HttpResponse<String> redirect = Http.get(uri(other) + (i % 4 < 2 ? "/get_data/" : "/api/v1/producers/") + id);
            assertThat(redirect.statusCode()).as(id + " at the other balancer").isIn(302, 307);
            assertThat(redirect.headers().firstValue("Location").orElseThrow()).startsWith(worker);
            assertThat(register(other, id, null)).as("the other balancer sends " + id + " to the same worker").isEqualTo(worker);
            awaitAgreed(id);
            assertThat(epochs.add(a.balancer().assignments().get(id).epoch())).as("epoch of " + id + " is new").isTrue();
        }

        // a move at b (the producer says its worker failed it) outranks a's assignment, at a too
        Assignment before = a.balancer().assignments().get("sb0");
        String moved = register(b, "sb0", before.workerId().contains("://") ? before.workerId()
                : "http://" + before.workerId());
        await().atMost(Duration.ofSeconds(3)).until(() -> a.balancer().assignments().get("sb0").epoch() > before.epoch());
        awaitAgreed("sb0");
        assertThat(moved).doesNotContain(before.workerId());

        // an erasure at a, an area at b
        assertThat(Http.send("DELETE", uri(a) + "/api/v1/producers/sb1", null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(3)).until(() -> !b.balancer().assignments().containsKey("sb1"));
        HttpResponse<String> area = Http.postJson(uri(b) + "/api/v1/areas", "{\"name\":\"quay\",\"lat\":1,\"lon\":2,\"radius_m\":50}");
        assertThat(area.statusCode()).as(area.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(3)).until(() -> Http.get(uri(a) + "/api/v1/areas/quay").statusCode() == 200);

        // the same new producer at both balancers at once: they converge on the later decision
        java.util.concurrent.CompletableFuture<String> atA = java.util.concurrent.CompletableFuture.supplyAsync(() -> register(a, "race", null));
        java.util.concurrent.CompletableFuture<String> atB = java.util.concurrent.CompletableFuture.supplyAsync(() -> register(b, "race", null));
        atA.join();
        atB.join();
        awaitAgreed("race");
        String winner = a.balancer().assignments().get("race").workerId();
        assertThat(register(a, "race", null)).contains(winner);
        assertThat(register(b, "race", null)).contains(winner);

        // a restarts: it has everything
        int port = a.port();
        join(a.stop());
        a = balancer("a", port);
        assertThat(a.balancer().assignments()).isEqualTo(b.balancer().assignments()).hasSize(20);
        assertThat(Http.get(uri(a) + "/api/v1/areas/quay").statusCode()).isEqualTo(200);
    }
}
