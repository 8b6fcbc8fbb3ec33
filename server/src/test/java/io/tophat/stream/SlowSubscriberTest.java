package io.tophat.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.testing.Http;
import io.tophat.testing.SseSubscriber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A subscriber that never reads: the worker holds at most its stream bounds for it, tells it {@code lagged} with
 * the token to resume from, and closes it; resuming from that token replays the rest from the store, each
 * heartbeat once. An idle stream gets keep-alives.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowSubscriberTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCHES = 20;
    private static final int PER_BATCH = 500;

    @TempDir
    static Path dir;

    private EmbeddedCluster cluster;
    private String worker;

    @BeforeAll
    void start() {
        StreamLimits small = new StreamLimits(200, 256 * 1024, Duration.ofMillis(200));
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c.withStreams(small)).start(0, 1);
        worker = Http.get(cluster.balancerUri() + "/register/slow").body().strip();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private JsonNode status() throws Exception {
        return JSON.readTree(Http.get(worker + "/api/v1/status").body());
    }

    @Test
    void a_subscriber_that_never_reads_is_told_it_lagged_and_resumes_from_history() throws Exception {
        URI uri = URI.create(worker);
        String pad = "x".repeat(1000);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
            OutputStream req = socket.getOutputStream();
            req.write(("GET /api/v1/producers/slow/stream HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            req.flush();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (status().get("stream_subscribers").asInt() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long seq = 0;
            for (int b = 0; b < BATCHES; b++) {
                StringBuilder batch = new StringBuilder("[");
                for (int i = 0; i < PER_BATCH; i++) {
                    batch.append(i == 0 ? "" : ",").append("{\"seq\":").append(++seq)
                            .append(",\"location\":{\"lat\":1,\"lon\":2},\"data\":\"").append(pad).append("\"}");
                }
                HttpResponse<String> r = Http.postJson(worker + "/api/v1/producers/slow/heartbeats", batch.append(']').toString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            deadline = System.nanoTime() + 10_000_000_000L;
            while (status().get("streams_lagged").asLong() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            JsonNode after = status();
            assertThat(after.get("streams_lagged").asLong()).isEqualTo(1);
            assertThat(after.get("stream_subscribers").asInt()).isZero();

            // what the subscriber finds when it finally reads: the heartbeats it was given, then lagged, then the end
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            socket.setSoTimeout(5000);
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                got.write(buf, 0, n);
            }
            String text = got.toString(StandardCharsets.UTF_8);
            Matcher lagged = Pattern.compile("event: lagged\\nid: (\\S+)\\n").matcher(text);
            assertThat(lagged.find()).as("a lagged event").isTrue();
            String resume = lagged.group(1);
            int delivered = count(text, "event: heartbeat");
            assertThat(delivered).isLessThan(BATCHES * PER_BATCH);

            try (SseSubscriber rest = SseSubscriber.open(worker + "/api/v1/producers/slow/stream", resume)) {
                rest.awaitEvents("heartbeat", BATCHES * PER_BATCH - delivered, 30);
                Set<Long> seqs = new HashSet<>();
                for (String record : rest.data("heartbeat")) {
                    assertThat(seqs.add(JSON.readTree(record).get("seq").asLong())).isTrue();
                }
                assertThat(seqs).hasSize(BATCHES * PER_BATCH - delivered).doesNotContain(1L).contains(seq);
            }
        }
    }

    @Test
    void an_idle_stream_gets_keep_alives() throws Exception {
        URI uri = URI.create(worker);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream().write(("GET /api/v1/stream?producers=nobody HTTP/1.1\r\nHost: " + uri.getHost()
                    + ":" + uri.getPort() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);
            InputStream in = socket.getInputStream();
            StringBuilder text = new StringBuilder();
            byte[] buf = new byte[4096];
            while (count(text.toString(), ": keep-alive") < 2) {
                int n = in.read(buf);
                assertThat(n).isPositive();
                text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertThat(text.toString()).startsWith("HTTP/1.1 200").contains("text/event-stream");
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
