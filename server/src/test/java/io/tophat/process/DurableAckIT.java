package io.tophat.process;

import io.tophat.testing.JarProcess;

import io.tophat.protocol.Heartbeat;
import io.tophat.store.SqliteHeartbeatStore;
import io.tophat.store.SqliteStoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(120)
class DurableAckIT {
    private static final int SENDERS = 64;

    @TempDir
    Path dir;

    @Test
    void everyHeartbeatAcknowledgedBeforeASigkillIsInTheStoreAfterwards() throws Exception {
        int balancerPort = JarProcess.freePort();
        int workerPort = JarProcess.freePort();
        try (JarProcess balancer = JarProcess.start(dir, "balancer", "balancer", "--host", "127.0.0.1",
                "--port", "" + balancerPort, "--data-dir", "balancer").awaitOutput("TopHat balancer on", Duration.ofSeconds(30));
             JarProcess worker = JarProcess.start(dir, "worker", "worker", "--host", "127.0.0.1",
                     "--port", "" + workerPort, "--balancer", "127.0.0.1:" + balancerPort, "--data-dir", "worker")
                     .awaitOutput("TopHat worker on port", Duration.ofSeconds(30))) {

            Map<String, Set<Long>> acknowledged = new ConcurrentHashMap<>();
            AtomicLong acks = new AtomicLong();
            AtomicBoolean running = new AtomicBoolean(true);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            URI target = URI.create("http://127.0.0.1:" + workerPort + "/heartbeat");
            for (int t = 0; t < SENDERS; t++) {
                int thread = t;
                senders.submit(() -> send(http, target, thread, running, acknowledged, acks));
            }
            long started = System.nanoTime();
            while (acks.get() < 20_000 && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(30)) {
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            worker.kill();
            running.set(false);
            senders.shutdown();
            assertThat(senders.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            long acked = acks.get();
            System.out.printf("acknowledged %d heartbeats in %.1f s (%.0f/s) before SIGKILL%n", acked, seconds, acked / seconds);
            assertThat(acked).isGreaterThan(1000);

            try (SqliteHeartbeatStore store = SqliteHeartbeatStore.open(
                    SqliteStoreConfig.defaults(dir.resolve("worker").resolve("heartbeats.db")))) {
                long missing = 0;
                for (Map.Entry<String, Set<Long>> e : acknowledged.entrySet()) {
                    Set<Long> stored = new HashSet<>();
                    for (Heartbeat hb : store.history(e.getKey(), 0, Long.MAX_VALUE, 100_000)) {
                        stored.add(hb.seq());
                    }
                    Set<Long> lost = new HashSet<>(e.getValue());
                    lost.removeAll(stored);
                    missing += lost.size();
                }
                assertThat(missing).as("acknowledged heartbeats missing from the store").isZero();
                assertThat(store.historySize()).isGreaterThanOrEqualTo(acked);
            }
        }
    }

    private static void send(HttpClient http, URI target, int thread, AtomicBoolean running,
                             Map<String, Set<Long>> acknowledged, AtomicLong acks) {
        Map<String, Long> seqs = new HashMap<>();
        for (int i = 0; running.get(); i++) {
            String producer = "d-" + thread + "-" + (i % 20);
            long seq = seqs.merge(producer, 1L, Long::sum);
            String body = "{\"id\":\"" + producer + "\",\"seq\":" + seq
                    + ",\"location\":{\"lat\":56.34,\"lon\":-2.79,\"speed\":1.4},\"data\":{\"battery\":80,\"steps\":" + i + "}}";
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    acknowledged.computeIfAbsent(producer, p -> ConcurrentHashMap.newKeySet()).add(seq);
                    acks.incrementAndGet();
                }
            } catch (Exception e) {
                return;
            }
        }
    }
}
