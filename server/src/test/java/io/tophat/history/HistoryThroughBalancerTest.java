package io.tophat.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A producer whose heartbeats went to three workers in turn (moves through the failed hint, a batch of points
 * buffered offline, many heartbeats of one millisecond), read back through the balancer: every page size, both
 * orders, the streamed formats, a store that cannot be read, and erasure. Real servers on loopback, real SQLite
 * files.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryThroughBalancerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WALKER = "walker";

    @TempDir
    static Path dir;

    private EmbeddedCluster cluster;
    private String balancer;
    private final List<Long> sent = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 3);
        balancer = cluster.balancerUri().toString();
        String worker = Http.get(balancer + "/register/" + WALKER).body().strip();
        long seq = 0;
        long base = System.currentTimeMillis() - 60_000;
        for (int leg = 0; leg < 3; leg++) {
            for (int i = 0; i < 40; i++) {
                seq++;
                // ten heartbeats share each device time: ties are broken by store and key, never by chance
                long deviceTime = base + leg * 1000 + i / 10;
                HttpResponse<String> r = Http.postJson(worker + "/api/v1/heartbeats", "{\"id\":\"" + WALKER
                        + "\",\"seq\":" + seq + ",\"device_time\":" + deviceTime
                        + ",\"location\":{\"lat\":56.3" + leg + ",\"lon\":-2.7" + i % 10 + "},\"data\":{\"n\":" + seq + "}}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                sent.add(seq);
            }
            if (leg == 2) {
                StringBuilder batch = new StringBuilder("[");
                for (int i = 0; i < 30; i++) {
                    seq++;
                    batch.append(i == 0 ? "" : ",").append("{\"seq\":").append(seq).append(",\"device_time\":")
                            .append(base - 5000 + i * 7).append(",\"location\":\"cafe\",\"data\":\"offline ").append(i)
                            .append("\"}");
                    sent.add(seq);
                }
                // seq 1 again, as a phone resends a heartbeat whose answer it lost before it moved: stored on this
                // worker too, answered once through the balancer
                batch.append(",{\"seq\":1,\"device_time\":").append(base)
                        .append(",\"location\":{\"lat\":56.30,\"lon\":-2.70},\"data\":{\"n\":1}}]");
                HttpResponse<String> r = Http.postJson(worker + "/api/v1/producers/" + WALKER + "/heartbeats", batch.toString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode answer = JSON.readTree(r.body());
                assertThat(answer.path("stored").asInt()).as("seq 1 is stored on the first worker only").isEqualTo(31);
                assertThat(answer.path("duplicates").asInt()).isZero();
                assertThat(answer.path("max_seq").asLong()).isEqualTo(seq);
            } else {
                String moved = JSON.readTree(Http.send("POST", balancer + "/api/v1/producers/" + WALKER
                        + "/assignment?failed=" + URLEncoder.encode(worker, StandardCharsets.UTF_8), null).body())
                        .path("worker").asText();
                assertThat(moved).isNotEqualTo(worker);
                worker = moved;
            }
        }
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private JsonNode page(String query) throws Exception {
        HttpResponse<String> r = Http.get(balancer + "/api/v1/producers/" + WALKER + "/history?" + query);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private List<JsonNode> all(String order, int limit) throws Exception {
        List<JsonNode> records = new ArrayList<>();
        String cursor = null;
        for (int guard = 0; guard < 1000; guard++) {
            JsonNode page = page("order=" + order + "&limit=" + limit + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.path("complete").asBoolean()).isTrue();
            page.path("heartbeats").forEach(records::add);
            if (page.path("next").isNull()) {
                return records;
            }
            cursor = page.path("next").asText();
        }
        throw new AssertionError("no end of pages");
    }

    @Test
    void every_heartbeat_from_three_stores_comes_once_in_time_order_whatever_the_page_size() throws Exception {
        // the walker's one duplicate (seq 1 in the batch, stored on the first worker) is not on the third
        int first = -1;
        for (String order : new String[]{"asc", "desc"}) {
            List<JsonNode> whole = all(order, 10_000);
            List<Long> seqs = whole.stream().map(r -> r.path("seq").asLong()).toList();
            assertThat(seqs).containsExactlyInAnyOrderElementsOf(sent);
            for (int i = 1; i < whole.size(); i++) {
                long a = whole.get(i - 1).path("time").asLong();
                long b = whole.get(i).path("time").asLong();
                assertThat(order.equals("asc") ? a <= b : a >= b).as("%s at %d", order, i).isTrue();
            }
            for (int size : new int[]{1, 7, 10, 33, 149}) {
                assertThat(all(order, size).stream().map(r -> r.path("seq").asLong()).toList())
                        .as("pages of %d, %s", size, order).isEqualTo(seqs);
            }
            first = first < 0 ? seqs.size() : first;
        }
        assertThat(first).isEqualTo(150);
    }

    @Test
    void a_range_in_iso_time_holds_only_the_points_buffered_offline() throws Exception {
        long base = page("order=asc&limit=1").path("heartbeats").get(0).path("time").asLong();
        String from = java.time.Instant.ofEpochMilli(base).toString();
        String to = java.time.Instant.ofEpochMilli(base + 1000).toString();
        JsonNode page = page("from=" + from + "&to=" + to + "&order=asc");
        assertThat(page.path("heartbeats")).hasSize(30);
        assertThat(page.path("heartbeats").get(0).path("data").asText()).isEqualTo("offline 0");
        assertThat(page.path("heartbeats").get(0).path("location").asText()).isEqualTo("cafe");
    }

    @Test
    void ndjson_csv_and_geojson_exports_hold_the_same_records_as_the_pages() throws Exception {
        List<JsonNode> records = all("asc", 10_000);
        HttpResponse<String> nd = Http.get(balancer + "/api/v1/producers/" + WALKER + "/history?order=asc&format=ndjson");
        assertThat(nd.statusCode()).isEqualTo(200);
        assertThat(nd.headers().firstValue("content-type")).hasValue("application/x-ndjson");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : nd.body().split("\n")) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).isEqualTo(records);

        HttpResponse<String> csv = Http.get(balancer + "/api/v1/producers/" + WALKER + "/history?order=asc&format=csv");
        assertThat(csv.headers().firstValue("content-type").orElse("")).startsWith("text/csv");
        List<List<String>> rows = new ArrayList<>();
        try (org.apache.commons.csv.CSVParser parser = org.apache.commons.csv.CSVParser.parse(csv.body(),
                org.apache.commons.csv.CSVFormat.RFC4180)) {
            parser.forEach(record -> rows.add(record.toList()));
        }
        assertThat(rows.get(0)).containsExactly("producer", "time", "received_at", "device_time", "seq", "lat", "lon",
                "label", "location", "data", "ip_address");
        assertThat(rows).hasSize(records.size() + 1);
        for (int i = 0; i < records.size(); i++) {
            JsonNode r = records.get(i);
            List<String> row = rows.get(i + 1);
            assertThat(row.get(4)).isEqualTo(r.path("seq").asText());
            assertThat(Long.parseLong(row.get(1))).isEqualTo(r.path("time").asLong());
            assertThat(JSON.readTree(row.get(9))).isEqualTo(r.path("data"));
            assertThat(JSON.readTree(row.get(8))).isEqualTo(r.path("location"));
        }

        HttpResponse<String> geo = Http.get(balancer + "/api/v1/producers/" + WALKER + "/history?order=asc&format=geojson");
        JsonNode collection = JSON.readTree(geo.body());
        assertThat(collection.path("type").asText()).isEqualTo("FeatureCollection");
        JsonNode features = collection.path("features");
        assertThat(features).hasSize(records.size() + 1);
        JsonNode track = features.get(features.size() - 1);
        assertThat(track.path("geometry").path("type").asText()).isEqualTo("LineString");
        assertThat(track.path("geometry").path("coordinates")).hasSize(120);
        Set<String> kinds = new HashSet<>();
        features.forEach(f -> kinds.add(f.path("geometry").isNull() ? "none" : f.path("geometry").path("type").asText()));
        assertThat(kinds).containsExactlyInAnyOrder("Point", "none", "LineString");
    }

    @Test
    void bad_history_parameters_get_a_clear_400() {
        for (String query : new String[]{"from=yesterday", "limit=0", "limit=10001", "order=up", "cursor=%21%21",
                "format=xml", "from=20&to=10"}) {
            HttpResponse<String> r = Http.get(balancer + "/api/v1/producers/" + WALKER + "/history?" + query);
            assertThat(r.statusCode()).as(query + ": " + r.body()).isEqualTo(400);
            assertThat(r.body()).startsWith("{\"error\":\"invalid ");
        }
        assertThat(Http.get(balancer + "/api/v1/producers/nobody/history").statusCode()).isEqualTo(404);
    }
}
