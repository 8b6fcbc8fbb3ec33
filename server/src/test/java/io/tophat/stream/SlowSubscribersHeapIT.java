package io.tophat.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.store.SqliteHeartbeatStore;
import io.tophat.store.SqliteStoreConfig;
import io.tophat.testing.Http;
import io.tophat.testing.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Subscribers that never read cost a worker at most its stream bounds: a worker process with a 96 MB heap (grown
 * from 16 MB only as what it holds needs it), the default bounds, 20 firehose subscribers that read nothing, and
 * 150,000 heartbeats of about 1 KB. Unbounded, the worker would keep every frame for them (one copy, which the 20
 * share) and an entry per subscriber and frame: about 280 MB, three times its heap (with the bounds lifted, it
 * stops answering within seconds). Every heartbeat is acknowledged and stored, every subscriber finds
 * {@code lagged} at the end of what it was sent, the worker lives, and the heap it reports stays under 80 MB.
 * Figures on a line starting with {@code [slow-subscribers]}.
 */
@Timeout(120)
class SlowSubscribersHeapIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SUBSCRIBERS = 20;
    private static final int PRODUCERS = 8;
    private static final int BATCHES = 150;
    private static final int PER_BATCH = 1000;
    /**
     * Below the heap by a margin: the bounds (4 MiB of frames each, shared), the ingest's batches and the store's index
     * of unmerged rows fit (peaks of 48 to 61 MB in five runs); without bounds the worker sits at its 96 MB and
     * stops answering.
     */
    private static final long HEAP_BOUND = 80L << 20;

    @TempDir
    Path dir;

    @Test
    void subscribers_that_never_read_get_lagged_and_the_workers_heap_stays_bounded() throws Exception {
        try (EmbeddedCluster balancerOnly = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 0);
             JarProcess worker = JarProcess.start(dir, "worker", List.of("-Xms16m", "-Xmx96m", "-XX:+UseSerialGC"),
                     List.of("worker", "--host", "127.0.0.1", "--port", "0", "--data-dir", dir.resolve("w").toString(),
                             "--balancer", "127.0.0.1:" + balancerOnly.balancerUri().getPort()))) {
            worker.awaitOutput("TopHat worker on port", Duration.ofSeconds(60));
            URI at = URI.create("http://127.0.0.1:" + worker.printedPort());
            for (int p = 0; p < PRODUCERS; p++) {
                assertThat(Http.get(balancerOnly.balancerUri() + "/register/heap" + p).body().strip())
                        .isEqualTo(at.toString());
            }
            List<Socket> subscribers = new ArrayList<>();
            AtomicLong heapMax = new AtomicLong();
            AtomicLong heapUsedMax = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        JsonNode s = status(at);
                        heapUsedMax.accumulateAndGet(s.get("heap_used_bytes").asLong(), Math::max);
                        heapMax.set(s.get("heap_max_bytes").asLong());
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // the assertions below say whether the worker answered
                    }
                }
            }, "heap-sampler");
            try {
                for (int i = 0; i < SUBSCRIBERS; i++) {
                    Socket socket = new Socket();
                    socket.setReceiveBufferSize(4096);
                    socket.connect(new InetSocketAddress(at.getHost(), at.getPort()));
                    socket.getOutputStream().write(("GET /api/v1/stream HTTP/1.1\r\nHost: " + at.getHost() + ":"
                            + at.getPort() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    subscribers.add(socket);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> status(at).get("stream_subscribers").asInt() == SUBSCRIBERS);
                sampler.start();
                send(at);
                await().atMost(Duration.ofSeconds(20)).until(() -> status(at).get("streams_lagged").asInt() == SUBSCRIBERS);
                JsonNode after = status(at);
                sampler.interrupt();
                sampler.join();
                assertThat(worker.alive()).isTrue();
                assertThat(after.get("stream_subscribers").asInt()).isZero();
                assertThat(after.get("heartbeats_acknowledged").asLong()).isEqualTo((long) BATCHES * PER_BATCH);

                int delivered = 0;
                for (Socket socket : subscribers) { // what each finds when it finally reads: events, lagged, the end
                    String text = readToEnd(socket);
                    assertThat(text).startsWith("HTTP/1.1 200");
                    int lagged = text.lastIndexOf("event: lagged\n");
                    assertThat(lagged).as("a lagged event").isPositive();
                    assertThat(text.indexOf("event: heartbeat", lagged)).as("nothing after lagged").isNegative();
                    delivered += count(text, "event: heartbeat");
                }
                System.out.printf("[slow-subscribers] %d subscribers that never read, %,d heartbeats of ~1 KB: "
                                + "each got lagged after %,d events on average; the worker's heap peaked at %,d of "
                                + "%,d bytes%n", SUBSCRIBERS, BATCHES * PER_BATCH, delivered / SUBSCRIBERS,
                        heapUsedMax.get(), heapMax.get());
                assertThat(heapMax.get()).as("the worker's -Xmx96m").isLessThanOrEqualTo(96L << 20);
                assertThat(heapUsedMax.get()).as("the worker's heap at its highest").isPositive()
                        .isLessThan(HEAP_BOUND);
            } finally {
                sampler.interrupt();
                for (Socket socket : subscribers) {
                    socket.close();
                }
            }
            worker.kill(); // an acknowledged heartbeat is stored: the file holds every one
            try (SqliteHeartbeatStore store = SqliteHeartbeatStore.open(
                    SqliteStoreConfig.defaults(dir.resolve("w").resolve("heartbeats.db")))) {
                assertThat(store.historySize()).isEqualTo((long) BATCHES * PER_BATCH);
            }
        }
    }

    /** The batches, two at a time, each of 1,000 heartbeats of about 1 KB of one producer; each must be 200. */
    private static void send(URI worker) throws Exception {
        String pad = "x".repeat(1000);
        ExecutorService senders = Executors.newFixedThreadPool(2);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int b = 0; b < BATCHES; b++) {
                String producer = "heap" + (b % PRODUCERS);
                StringBuilder batch = new StringBuilder("[");
                for (int i = 0; i < PER_BATCH; i++) {
                    batch.append(i == 0 ? "" : ",").append("{\"seq\":").append(b * PER_BATCH + i + 1)
                            .append(",\"location\":{\"lat\":1,\"lon\":2},\"data\":\"").append(pad).append("\"}");
                }
                String body = batch.append(']').toString();
                answers.add(senders.submit(() -> Http.postJson(worker + "/api/v1/producers/" + producer
                        + "/heartbeats", body)));
            }
            for (Future<HttpResponse<String>> a : answers) {
                HttpResponse<String> r = a.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
        } finally {
            senders.shutdownNow();
        }
    }

    private static JsonNode status(URI worker) throws Exception {
        return JSON.readTree(Http.get(worker + "/api/v1/status").body());
    }

    private static String readToEnd(Socket socket) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        socket.setSoTimeout(10_000);
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
            got.write(buf, 0, n);
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
