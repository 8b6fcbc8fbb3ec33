package io.tophat.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.balancer.BalancerConfig;
import io.tophat.balancer.BalancerServer;
import io.tophat.testing.Http;
import io.tophat.store.HeartbeatStores;
import io.tophat.worker.WorkerConfig;
import io.tophat.worker.WorkerServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The balancer keeps its drain marks in memory only. A worker that drains while the balancer restarts must tell
 * the restarted balancer again, or producers are handed back to it and bounce off its 410 until it exits.
 */
@Timeout(60)
class DrainAcrossBalancerRestartTest {
    private static final Duration LEASE = Duration.ofMillis(200);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final Vertx vertx = Vertx.vertx();
    private final AtomicBoolean sending = new AtomicBoolean(true);

    @AfterEach
    void stop() throws Exception {
        sending.set(false);
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void a_worker_that_is_draining_when_the_balancer_restarts_is_still_draining_at_the_restarted_balancer() throws Exception {
        BalancerConfig balancerConfig = new BalancerConfig("127.0.0.1", 0, dir.resolve("balancer")).withLeaseInterval(LEASE);
        BalancerServer balancer = BalancerServer.open(vertx, balancerConfig);
        int port = join(balancer.start());
        String balancerUrl = "http://127.0.0.1:" + port;
        WorkerServer draining = startWorker(port, "w1");
        WorkerServer keeper = startWorker(port, "w2");

        String producer = producerOn(balancerUrl, draining.url());
        AtomicBoolean acknowledged = new AtomicBoolean();
        Thread sender = new Thread(() -> {
            while (sending.get()) {
                try {
                    int status = Http.postJson(draining.url() + "/heartbeat",
                            "{\"id\":\"" + producer + "\",\"location\":\"here\",\"data\":1}").statusCode();
                    acknowledged.compareAndSet(false, status == 200);
                } catch (RuntimeException e) {
                    return;
                }
                sleep(50);
            }
        }, "stray-producer");
        sender.setDaemon(true);
        sender.start();

        await().atMost(Duration.ofSeconds(5)).untilTrue(acknowledged);
        Future<Void> drained = draining.stop();
        await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
                .until(() -> workerStatus(balancerUrl, draining.url()).path("draining").asBoolean());

        join(balancer.stop());
        balancer = BalancerServer.open(vertx, new BalancerConfig("127.0.0.1", port, dir.resolve("balancer")).withLeaseInterval(LEASE));
        join(balancer.start());

        await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() ->
                assertThat(workerStatus(balancerUrl, draining.url()).path("draining").asBoolean())
                        .as("the restarted balancer knows the worker drains").isTrue());
        assertThat(Http.get(balancerUrl + "/register/" + producer).body())
                .as("a producer of the draining worker registering again").isEqualTo(keeper.url());

        sending.set(false);
        join(drained);
        join(keeper.stop());
        join(balancer.stop());
    }

    private WorkerServer startWorker(int balancerPort, String name) throws Exception {
        WorkerConfig config = WorkerConfig.embedded(List.of(URI.create("http://127.0.0.1:" + balancerPort)),
                dir.resolve(name)).withDrainTimeout(Duration.ofSeconds(20));
        WorkerServer worker = new WorkerServer(vertx, config,
                HeartbeatStores.open(config.storage().store(), config.storage().dataDir(), config.storage().synchronous()));
        join(worker.start());
        return worker;
    }

    /** Registers producers until one is assigned to {@code workerUrl}; returns its id. */
    private static String producerOn(String balancerUrl, String workerUrl) {
        for (int i = 0; i < 10; i++) {
            String id = "p" + i;
            if (Http.get(balancerUrl + "/register/" + id).body().equals(workerUrl)) {
                return id;
            }
        }
        throw new AssertionError("no producer was assigned to " + workerUrl);
    }

    private static JsonNode workerStatus(String balancerUrl, String workerUrl) throws Exception {
        for (JsonNode w : JSON.readTree(Http.get(balancerUrl + "/api/v1/cluster").body()).path("workers")) {
            if (w.path("url").asText().equals(workerUrl)) {
                return w;
            }
        }
        return JSON.createObjectNode();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static <T> T join(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
