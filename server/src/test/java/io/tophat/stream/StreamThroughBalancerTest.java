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

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams through the balancer over three workers: a producer's stream gets each stored heartbeat once, in order;
 * a reconnect with Last-Event-ID replays exactly what it missed, then goes live; the firehose is the union of the
 * producers' histories; a worker that joins while streams run is in them from its first heartbeat; an idle stream
 * gets keep-alives; bad ids and tokens are 400s.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamThroughBalancerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private EmbeddedCluster cluster;
    private String balancer;

    @BeforeAll
    void start() {
        StreamLimits quickKeepAlive = new StreamLimits(StreamLimits.DEFAULT_BUFFER_EVENTS,
                StreamLimits.DEFAULT_BUFFER_BYTES, Duration.ofMillis(200));
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c.withStreams(quickKeepAlive)).start(0, 3);
        balancer = cluster.balancerUri().toString();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private String register(String id) {
        return Http.get(balancer + "/register/" + id).body().strip();
    }

    private static void send(String worker, String id, long seq) {
        HttpResponse<String> r = Http.postJson(worker + "/api/v1/heartbeats", "{\"id\":\"" + id + "\",\"seq\":" + seq
                + ",\"location\":{\"lat\":1.5,\"lon\":2.5},\"data\":{\"n\":" + seq + ",\"s\":\"line\\nbreak\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static List<Long> seqs(List<String> records) throws Exception {
        List<Long> seqs = new ArrayList<>();
        for (String r : records) {
            seqs.add(JSON.readTree(r).get("seq").asLong());
        }
        return seqs;
    }

    @Test
    void a_producer_stream_resumes_from_its_last_id_without_gap_or_duplicate() throws Exception {
        String worker = register("s1");
        String lastId;
        try (SseSubscriber sub = SseSubscriber.open(balancer + "/api/v1/producers/s1/stream")) {
            assertThat(sub.status()).isEqualTo(200);
            sub.await(f -> sub.lastId() != null, 10, "the starting position");
            for (long s = 1; s <= 5; s++) {
                send(worker, "s1", s);
            }
            sub.awaitEvents("heartbeat", 5, 10);
            assertThat(seqs(sub.data("heartbeat"))).containsExactly(1L, 2L, 3L, 4L, 5L);
            JsonNode first = JSON.readTree(sub.data("heartbeat").get(0));
            assertThat(first.get("data").get("s").asText()).isEqualTo("line\nbreak");
            lastId = sub.lastId();
        }
        for (long s = 6; s <= 9; s++) {
            send(worker, "s1", s);
        }
        try (SseSubscriber again = SseSubscriber.open(balancer + "/api/v1/producers/s1/stream", lastId)) {
            again.awaitEvents("heartbeat", 4, 10);
            send(worker, "s1", 10);
            again.awaitEvents("heartbeat", 5, 10);
            Thread.sleep(300);
            assertThat(seqs(again.data("heartbeat"))).containsExactly(6L, 7L, 8L, 9L, 10L);
        }
    }

    @Test
    void the_firehose_is_the_union_of_every_producers_history() throws Exception {
        try (SseSubscriber all = SseSubscriber.open(balancer + "/api/v1/stream")) {
            all.await(f -> all.lastId() != null && all.lastId().length() > 60, 10, "positions in three stores");
            Set<String> ids = new TreeSet<>();
            for (int p = 0; p < 12; p++) {
                String id = "f" + p;
                ids.add(id);
                String worker = register(id);
                for (long s = 1; s <= 3; s++) {
                    send(worker, id, s);
                }
            }
            all.awaitEvents("heartbeat", 36, 20);
            Set<String> streamed = new HashSet<>();
            for (String r : all.data("heartbeat")) {
                JsonNode n = JSON.readTree(r);
                if (n.get("producer").asText().startsWith("f")) {
                    assertThat(streamed.add(n.get("producer").asText() + "/" + n.get("seq").asLong())).isTrue();
                }
            }
            Set<String> history = new HashSet<>();
            for (String id : ids) {
                HttpResponse<String> h = Http.get(balancer + "/api/v1/producers/" + id + "/history");
                if (h.statusCode() == 307) {
                    h = Http.get(h.headers().firstValue("Location").orElseThrow());
                }
                for (JsonNode item : JSON.readTree(h.body()).get("heartbeats")) {
                    history.add(id + "/" + item.get("seq").asLong());
                }
            }
            assertThat(streamed).isEqualTo(history).hasSize(36);
        }
    }

    @Test
    void a_worker_that_joins_while_streams_run_is_streamed_from_its_first_heartbeat() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int p = 0; p < 12; p++) {
            ids.add("j" + p);
        }
        try (SseSubscriber all = SseSubscriber.open(balancer + "/api/v1/stream");
             SseSubscriber some = SseSubscriber.open(balancer + "/api/v1/stream?producers=" + String.join(",", ids))) {
            int stores = cluster.workerCount();
            all.await(f -> all.lastId() != null && storesIn(all.lastId()) == stores, 10, "a position in every store");
            some.await(f -> some.lastId() != null && storesIn(some.lastId()) == stores, 10, "a position in every store");
            String newcomer = cluster.worker(cluster.startWorker()).url();
            int onNewcomer = 0;
            for (String id : ids) { // at once: the new worker takes its share before any stream has subscribed to it
                String worker = register(id);
                onNewcomer += worker.equals(newcomer) ? 1 : 0;
                for (long s = 1; s <= 3; s++) {
                    send(worker, id, s);
                }
            }
            assertThat(onNewcomer).as("producers the new worker took").isPositive();
            all.awaitEvents("heartbeat", ids.size() * 3, 10);
            some.awaitEvents("heartbeat", ids.size() * 3, 10);
            Thread.sleep(200);
            for (SseSubscriber sub : List.of(all, some)) {
                List<String> got = new ArrayList<>();
                for (String r : sub.data("heartbeat")) {
                    JsonNode n = JSON.readTree(r);
                    if (n.get("producer").asText().startsWith("j")) {
                        got.add(n.get("producer").asText() + "/" + n.get("seq").asLong());
                    }
                }
                assertThat(got).doesNotHaveDuplicates().hasSize(ids.size() * 3);
            }
        }
    }

    @Test
    void the_same_stream_over_a_websocket_resumes_from_a_frame_id() throws Exception {
        String worker = register("ws1");
        java.util.concurrent.BlockingQueue<JsonNode> frames = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket.Listener listener = new java.net.http.WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    try {
                        frames.add(JSON.readTree(text.toString()));
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }
        };
        String wsBase = balancer.replace("http://", "ws://") + "/api/v1/producers/ws1/ws";
        java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(java.net.URI.create(wsBase), listener).get(10, java.util.concurrent.TimeUnit.SECONDS);
        JsonNode position;
        do { // the token names a position in each of the three stores once each worker's stream has started
            position = frames.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(position).as("a position frame").isNotNull();
            assertThat(position.get("event").asText()).isEqualTo("position");
        } while (storesIn(position.get("id").asText()) < 3);
        send(worker, "ws1", 1);
        send(worker, "ws1", 2);
        JsonNode first = nextHeartbeat(frames);
        JsonNode second = nextHeartbeat(frames);
        assertThat(first.get("data").get("seq").asLong()).isEqualTo(1);
        assertThat(second.get("data").get("data").get("s").asText()).isEqualTo("line\nbreak");
        ws.abort();
        send(worker, "ws1", 3);
        frames.clear();
        java.net.http.WebSocket again = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(java.net.URI.create(wsBase + "?after=" + first.get("id").asText()), listener)
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        List<Long> seqs = new ArrayList<>();
        while (seqs.size() < 2) {
            JsonNode f = frames.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(f).as("a frame after " + seqs).isNotNull();
            if (f.get("event").asText().equals("heartbeat")) {
                seqs.add(f.get("data").get("seq").asLong());
            }
        }
        assertThat(seqs).containsExactly(2L, 3L);
        again.abort();
    }

    /** How many stores a resume token names a position in. */
    static int storesIn(String token) {
        String decoded = new String(java.util.Base64.getUrlDecoder().decode(token), java.nio.charset.StandardCharsets.UTF_8);
        return (int) decoded.chars().filter(c -> c == '=').count();
    }

    /** The next heartbeat frame, past the frames that only move the token (one per worker at the start). */
    private static JsonNode nextHeartbeat(java.util.concurrent.BlockingQueue<JsonNode> frames) throws Exception {
        while (true) {
            JsonNode f = frames.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(f).as("a heartbeat frame").isNotNull();
            if (f.get("event").asText().equals("heartbeat")) {
                return f;
            }
            assertThat(f.get("event").asText()).isEqualTo("position");
        }
    }

    @Test
    void an_idle_stream_gets_keep_alives() throws Exception {
        URI uri = URI.create(cluster.worker(0).url());
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream().write(("GET /api/v1/stream?producers=nobody HTTP/1.1\r\nHost: " + uri.getHost()
                    + ":" + uri.getPort() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.setSoTimeout(5000);
            InputStream in = socket.getInputStream();
            StringBuilder text = new StringBuilder();
            byte[] buf = new byte[4096];
            while (text.toString().split(": keep-alive", -1).length - 1 < 2) {
                int n = in.read(buf);
                assertThat(n).isPositive();
                text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertThat(text.toString()).startsWith("HTTP/1.1 200").contains("text/event-stream");
        }
    }

    @Test
    void bad_ids_and_tokens_are_clear_400s() throws Exception {
        for (String path : List.of("/api/v1/producers/bad%20id/stream", "/api/v1/stream?producers=a,,b",
                "/api/v1/stream?after=notatoken", "/api/v1/producers/x/stream?after=" + "x".repeat(30))) {
            HttpResponse<String> r = Http.get(balancer + path);
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("error").asText()).isNotBlank();
        }
    }
}
