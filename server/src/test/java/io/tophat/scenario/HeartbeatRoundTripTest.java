package io.tophat.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.tophat.client.ConsumerConfig;
import io.tophat.client.DataReply;
import io.tophat.client.TopHatConsumer;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.testing.HeartbeatGen;
import io.tophat.testing.HeartbeatGen.GeneratedHeartbeat;
import io.tophat.testing.Http;
import io.tophat.testing.RoundTrip;
import io.tophat.worker.AckMode;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a producer sends is what a consumer reads: generated heartbeats (any JSON {@code data}, string and object
 * locations with extra members, ids as numbers and strings) posted to a real worker, then read back through every
 * path that serves them, from the cache and, after the worker restarted, from its SQLite files; once more with
 * {@code --ack cached} after a flush. 1,500 heartbeats a run.
 */
class HeartbeatRoundTripTest {
    private static final AtomicLong IDS = new AtomicLong();
    private static final Map<String, Integer> LABELS = new ConcurrentHashMap<>();
    private static Path dir;
    private static EmbeddedCluster durable;
    private static EmbeddedCluster cached;

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("tophat-roundtrip");
        durable = new EmbeddedCluster(dir.resolve("durable"), "127.0.0.1",
                c -> c.withDrainTimeout(Duration.ofSeconds(5))).start(0, 1);
        cached = new EmbeddedCluster(dir.resolve("cached"), "127.0.0.1",
                c -> c.withDrainTimeout(Duration.ofSeconds(5))
                        .withIngest(i -> i.withCacheSize(1000).withAck(AckMode.CACHED, Duration.ofMillis(200))))
                .start(0, 1);
    }

    @AfterContainer
    static void stop() throws IOException {
        for (EmbeddedCluster cluster : new EmbeddedCluster[]{durable, cached}) {
            if (cluster != null) {
                cluster.close();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<List<GeneratedHeartbeat>> batches() {
        return HeartbeatGen.heartbeats().list().ofSize(50);
    }

    @Property(tries = 20, shrinking = ShrinkingMode.BOUNDED)
    void every_read_path_serves_what_was_sent_from_the_cache_and_from_the_store_after_a_restart(
            @ForAll("batches") List<GeneratedHeartbeat> batch) throws InterruptedException {
        Map<String, GeneratedHeartbeat> sent = send(durable, batch);
        readEverything(durable, "from the cache", sent);
        restart(durable, sent);
        readEverything(durable, "from the store after a restart", sent);
    }

    @Property(tries = 10, shrinking = ShrinkingMode.BOUNDED)
    void with_ack_cached_every_read_path_serves_what_was_sent_after_a_flush(
            @ForAll("batches") List<GeneratedHeartbeat> batch) throws InterruptedException {
        Map<String, GeneratedHeartbeat> sent = send(cached, batch);
        Awaitility.await("the cached heartbeats are flushed").atMost(Duration.ofSeconds(10))
                .until(() -> sent.keySet().stream().allMatch(id -> cached.worker(0).store().latest(id).isPresent()));
        restart(cached, sent);
        readEverything(cached, "with --ack cached, from the store after a flush", sent);
    }

    @Example
    void the_report_s_own_producer_payload_comes_back_unchanged() throws IOException, InterruptedException {
        byte[] body;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/report-producer-heartbeat.json")) {
            body = in.readAllBytes();
        }
        JsonNode sent = RoundTrip.parse(new String(body, StandardCharsets.UTF_8));
        String id = sent.get("id").asText();
        String worker = Http.get(durable.balancerUri() + "/register/" + id).body();
        assertThat(Http.post(worker + "/heartbeat", "application/json", body).statusCode()).isEqualTo(200);

        String served = Http.get(worker + "/get_data/" + id).body();
        assertThat(RoundTrip.parse(served).textValue()).isEqualTo(sent.get("data").textValue());
        assertThat(RoundTrip.parse(served).textValue()).contains("\t", "\\", "\"", "caf\\u00e9 \\ud83d\\ude00");
        JsonNode record = RoundTrip.parse(Http.get(worker + "/api/v1/producers/" + id).body());
        assertThat(record.get("location").textValue()).isEqualTo("value2");
        assertThat(record.get("data")).isEqualTo(sent.get("data"));
        assertThat(Http.get(worker + "/get_data_location/value2").body()).isEqualTo(served);
        DataReply viaBalancer = consumer(durable).latestData(id);
        assertThat(viaBalancer).isInstanceOf(DataReply.Data.class);
        assertThat(RoundTrip.parse(((DataReply.Data) viaBalancer).json())).isEqualTo(sent.get("data"));
    }

    private static Map<String, GeneratedHeartbeat> send(EmbeddedCluster cluster, List<GeneratedHeartbeat> batch) {
        Map<String, GeneratedHeartbeat> sent = new LinkedHashMap<>();
        for (GeneratedHeartbeat hb : batch) {
            long n = IDS.incrementAndGet();
            String id = hb.numericId() ? String.format("35%013d", n) : "dev:" + n + "_A.b-";
            String worker = register(cluster, id);
            boolean seed = n % 2 == 0;
            HttpResponse<String> answer = Http.post(worker + (seed ? "/heartbeat" : "/api/v1/heartbeats"),
                    "application/json", hb.body(id));
            assertThat(answer.statusCode()).as("answer to %s", new String(hb.body(id), StandardCharsets.UTF_8))
                    .isEqualTo(200);
            sent.put(id, hb);
            if (hb.location().label() != null) {
                LABELS.merge(hb.location().label(), 1, Integer::sum);
            }
        }
        return sent;
    }

    private static String register(EmbeddedCluster cluster, String id) {
        HttpResponse<String> worker = Http.get(cluster.balancerUri() + "/register/" + id);
        assertThat(worker.statusCode()).as("registration of %s: %s", id, worker.body()).isEqualTo(200);
        return worker.body();
    }

    private static void restart(EmbeddedCluster cluster, Map<String, GeneratedHeartbeat> sent) {
        int port = cluster.worker(0).port();
        cluster.stopWorker(0);
        cluster.startWorker(0, port);
        sent.keySet().forEach(id -> register(cluster, id));
    }

    private static void readEverything(EmbeddedCluster cluster, String how, Map<String, GeneratedHeartbeat> sent)
            throws InterruptedException {
        String worker = "http://127.0.0.1:" + cluster.worker(0).port();
        TopHatConsumer consumer = consumer(cluster);
        for (Map.Entry<String, GeneratedHeartbeat> e : sent.entrySet()) {
            String id = e.getKey();
            GeneratedHeartbeat hb = e.getValue();
            String where = how + ", producer " + id + ", body " + new String(hb.body(id), StandardCharsets.UTF_8);

            RoundTrip.assertSameData("GET /get_data/{id} " + where, hb, ok(worker + "/get_data/" + id));
            RoundTrip.assertSameRecord("GET /api/v1/producers/{id} " + where, id, hb,
                    RoundTrip.parse(ok(worker + "/api/v1/producers/" + id)));
            JsonNode history = RoundTrip.parse(ok(worker + "/api/v1/producers/" + id + "/history"));
            assertThat(history.get("heartbeats")).as("history " + where).hasSize(1);
            RoundTrip.assertSameRecord("history " + where, id, hb, history.get("heartbeats").get(0));
            String label = hb.location().label();
            // "", "." and ".." cannot be named as a path segment (RFC 3986 removes dot segments): see docs/api.md
            if (label != null && !label.isEmpty() && !label.equals(".") && !label.equals("..") && LABELS.get(label) == 1) {
                RoundTrip.assertSameData("GET /get_data_location/{location} " + where, hb,
                        ok(worker + "/get_data_location/" + URLEncoder.encode(label, StandardCharsets.UTF_8).replace("+", "%20")));
            }

            DataReply data = consumer.latestData(id);
            assertThat(data).as("client latestData " + where).isInstanceOf(DataReply.Data.class);
            RoundTrip.assertSameData("client latestData " + where, hb, ((DataReply.Data) data).json());
            Heartbeat record = consumer.latest(id).orElseThrow();
            RoundTrip.assertSameRecord("client latest " + where, id, hb,
                    RoundTrip.parse(new String(HeartbeatJson.encode(record), StandardCharsets.UTF_8)));
        }
    }

    private static String ok(String uri) {
        HttpResponse<String> r = Http.get(uri);
        assertThat(r.statusCode()).as("GET %s answered %s", uri, r.body()).isEqualTo(200);
        return r.body();
    }

    private static TopHatConsumer consumer(EmbeddedCluster cluster) {
        return new TopHatConsumer(ConsumerConfig.of(cluster.balancerUri()));
    }
}
