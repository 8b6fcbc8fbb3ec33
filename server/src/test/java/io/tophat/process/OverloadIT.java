package io.tophat.process;

import io.tophat.testing.JarProcess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.protocol.Heartbeat;
import io.tophat.store.SqliteHeartbeatStore;
import io.tophat.store.SqliteStoreConfig;
import io.tophat.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Offered load far above what a deliberately slow worker can store (one heartbeat per fsync'd commit, a write
 * queue of 64): it sheds with 503 + Retry-After, its heap stays bounded, it loses nothing it acknowledged, and
 * answers at once when the load drops.
 */
@Timeout(180)
class OverloadIT {
    private static final int SENDERS = 96;
    private static final Duration OVERLOAD = Duration.ofSeconds(30);
    private static final long HEAP_MAX = 96L << 20;

    @TempDir
    Path dir;

    @Test
    void anOverloadedWorkerShedsWith503KeepsItsHeapBoundedLosesNothingAndRecoversAtOnce() throws Exception {
        int balancerPort = JarProcess.freePort();
        int workerPort = JarProcess.freePort();
        try (JarProcess balancer = JarProcess.start(dir, "balancer", "balancer", "--host", "127.0.0.1",
                "--port", "" + balancerPort, "--data-dir", "balancer").awaitOutput("TopHat balancer on", Duration.ofSeconds(30));
             JarProcess worker = JarProcess.start(dir, "worker", List.of("-Xmx96m"), List.of("worker", "--host", "127.0.0.1",
                     "--port", "" + workerPort, "--balancer", "127.0.0.1:" + balancerPort, "--data-dir", "worker",
                     "--max-batch", "1", "--sync", "full", "--queue-capacity", "64"))
                     .awaitOutput("TopHat worker on port", Duration.ofSeconds(30))) {

            Map<String, Set<Long>> acknowledged = new ConcurrentHashMap<>();
            Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
            AtomicLong missingRetryAfter = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI target = URI.create("http://127.0.0.1:" + workerPort + "/heartbeat");
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            for (int t = 0; t < SENDERS; t++) {
                int thread = t;
                senders.submit(() -> {
                    long seq = 0;
                    while (running.get()) {
                        seq++;
                        String producer = "o-" + thread;
                        String body = "{\"id\":\"" + producer + "\",\"seq\":" + seq
                                + ",\"location\":{\"lat\":56.34,\"lon\":-2.79},\"data\":{\"n\":" + seq + "}}";
                        try {
                            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10))
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                            statuses.computeIfAbsent(r.statusCode(), s -> new AtomicLong()).incrementAndGet();
                            if (r.statusCode() == 200) {
                                acknowledged.computeIfAbsent(producer, p -> ConcurrentHashMap.newKeySet()).add(seq);
                            } else if (r.statusCode() == 503 && r.headers().firstValue("retry-after").isEmpty()) {
                                missingRetryAfter.incrementAndGet();
                            }
                        } catch (Exception e) {
                            statuses.computeIfAbsent(-1, s -> new AtomicLong()).incrementAndGet();
                        }
                    }
                });
            }
            ObjectMapper json = new ObjectMapper();
            long maxHeap = 0;
            long deadline = System.nanoTime() + OVERLOAD.toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode status = json.readTree(Http.get("http://127.0.0.1:" + workerPort + "/api/v1/status").body());
                maxHeap = Math.max(maxHeap, status.get("heap_used_bytes").asLong());
                assertThat(status.get("write_queue").asInt()).isLessThanOrEqualTo(64);
                Thread.sleep(500);
            }
            running.set(false);
            senders.shutdown();
            assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            System.out.printf("answers during %s of overload: %s; largest heap seen %d MB%n", OVERLOAD, statuses, maxHeap >> 20);

            assertThat(statuses.get(503)).as("some heartbeats were shed").isNotNull();
            assertThat(statuses.get(503).get()).isGreaterThan(100);
            assertThat(missingRetryAfter.get()).as("503 answers without Retry-After").isZero();
            assertThat(statuses.keySet()).as("only 200 and 503").containsOnly(200, 503);
            assertThat(maxHeap).isLessThanOrEqualTo(HEAP_MAX);
            assertThat(worker.alive()).isTrue();

            long start = System.nanoTime();
            HttpResponse<String> calm = Http.postJson("http://127.0.0.1:" + workerPort + "/heartbeat",
                    "{\"id\":\"calm\",\"location\":\"home\",\"data\":1}");
            System.out.printf("first heartbeat after the overload answered %d in %.1f ms%n", calm.statusCode(),
                    (System.nanoTime() - start) / 1e6);
            assertThat(calm.statusCode()).isEqualTo(200);

            assertThat(worker.terminate(Duration.ofSeconds(60))).isZero();
            try (SqliteHeartbeatStore store = SqliteHeartbeatStore.open(
                    SqliteStoreConfig.defaults(dir.resolve("worker").resolve("heartbeats.db")))) {
                long lost = 0;
                for (Map.Entry<String, Set<Long>> e : acknowledged.entrySet()) {
                    Set<Long> stored = new HashSet<>();
                    for (Heartbeat hb : store.history(e.getKey(), 0, Long.MAX_VALUE, 1_000_000)) {
                        stored.add(hb.seq());
                    }
                    lost += e.getValue().stream().filter(seq -> !stored.contains(seq)).count();
                }
                assertThat(lost).as("acknowledged heartbeats missing from the store").isZero();
            }
        }
    }
}
