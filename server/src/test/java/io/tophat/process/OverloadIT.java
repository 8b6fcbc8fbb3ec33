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
    /**
     * A heartbeat let into the queue waits for at most 64 commits, each with an fsync; on a shared CI machine's
     * disk an fsync can take a few hundred ms, so this is generous, and still catches a request left hanging.
     */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void an_overloaded_worker_sheds_with503_keeps_its_heap_bounded_loses_nothing_and_recovers_at_once() throws Exception {
        try (JarProcess balancer = JarProcess.start(dir, "balancer", "balancer", "--host", "127.0.0.1",
                "--port", "0", "--data-dir", "balancer").awaitOutput("TopHat balancer on", Duration.ofSeconds(30));
             JarProcess worker = JarProcess.start(dir, "worker", List.of("-Xmx96m"), List.of("worker", "--host", "127.0.0.1",
                     "--port", "0", "--balancer", "127.0.0.1:" + balancer.printedPort(), "--data-dir", "worker",
                     "--max-batch", "1", "--sync", "full", "--queue-capacity", "64", "--producer-rate", "0"))
                     .awaitOutput("TopHat worker on port", Duration.ofSeconds(30))) {
            int workerPort = worker.printedPort();

            Map<String, Set<Long>> acknowledged = new ConcurrentHashMap<>();
            Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
            Map<String, Long> failures = new ConcurrentHashMap<>();
            AtomicLong retried = new AtomicLong();
            AtomicLong missingRetryAfter = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            // HTTP/1.1, as TopHat's own client and phones use it
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
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
                        HttpRequest request = HttpRequest.newBuilder(target).timeout(ANSWER_WITHIN)
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                        HttpResponse<Void> r;
                        try {
                            r = sendRetryingOnce(http, request, retried);
                        } catch (Exception e) {
                            statuses.computeIfAbsent(-1, s -> new AtomicLong()).incrementAndGet();
                            failures.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), 1L, Long::sum);
                            continue;
                        }
                        statuses.computeIfAbsent(r.statusCode(), s -> new AtomicLong()).incrementAndGet();
                        if (r.statusCode() == 200) {
                            acknowledged.computeIfAbsent(producer, p -> ConcurrentHashMap.newKeySet()).add(seq);
                        } else if (r.statusCode() == 503 && r.headers().firstValue("retry-after").isEmpty()) {
                            missingRetryAfter.incrementAndGet();
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
            System.out.printf("answers during %s of overload: %s (requests without an answer: %s; sent again after an "
                    + "I/O error: %d); largest heap seen %d MB%n", OVERLOAD, statuses, failures, retried.get(), maxHeap >> 20);
            if (!failures.isEmpty()) {
                worker.output().lines().filter(l -> !l.contains(" INFO ")).forEach(l -> System.out.println("[worker] " + l));
            }

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

    /**
     * Sends once more, the same heartbeat (its seq makes that safe), after an I/O error. The JDK's HTTP/1.1
     * client now and then fails a request on a reused connection with "header parser received no bytes" (about
     * once in 200,000 requests here, with or without this session's server changes); the bench's Netty generator saw
     * no reset in 3.4 million requests to a worker overloaded the same way ({@code bench overload}), so the worker
     * does not drop connections. A second failure counts as unanswered.
     */
    private static HttpResponse<Void> sendRetryingOnce(HttpClient http, HttpRequest request, AtomicLong retried)
            throws Exception {
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (java.io.IOException e) {
            if (e instanceof java.net.http.HttpTimeoutException) {
                throw e;
            }
            retried.incrementAndGet();
            return http.send(request, HttpResponse.BodyHandlers.discarding());
        }
    }
}
