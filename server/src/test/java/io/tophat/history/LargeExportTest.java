package io.tophat.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.client.ConsumerConfig;
import io.tophat.client.ExportFormat;
import io.tophat.client.HistoryQuery;
import io.tophat.client.TopHatConsumer;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.Location;
import io.tophat.testing.Http;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 100,000 heartbeats of one producer, with awkward data (quotes, commas, line breaks, unicode, strings, nulls,
 * labels), exported as NDJSON and CSV and parsed back: the same records as the JSON pages, field for field.
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeExportTest {
    private static final int ROWS = 100_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private EmbeddedCluster cluster;
    private TopHatConsumer consumer;
    private List<Heartbeat> pages;

    @BeforeAll
    void start() throws Exception {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 1);
        Http.get(cluster.balancerUri() + "/register/bulk");
        SplittableRandom random = new SplittableRandom(5);
        String[] awkward = {"\"a, \\\"quoted\\\" value\"", "\"line\\nbreak\\r\\nand more\"", "null", "\"naïve café 🚲\"",
                "{\"k\":[1,2,{\"x\":\"y,z\"}]}", "12.5e3", "\"\""};
        List<Heartbeat> batch = new ArrayList<>();
        long t0 = System.currentTimeMillis() - ROWS;
        for (int i = 0; i < ROWS; i++) {
            Location at = i % 9 == 0 ? Location.label("place, with \"quotes\"") : Location.of(56 + random.nextDouble(), -2 - random.nextDouble());
            batch.add(new Heartbeat("bulk", at, awkward[i % awkward.length], "10.0.0." + i % 250, t0 + i,
                    i % 3 == 0 ? null : t0 + i - random.nextInt(3), i % 5 == 0 ? null : (long) i));
            if (batch.size() == 10_000) {
                cluster.worker(0).store().append(batch);
                batch = new ArrayList<>();
            }
        }
        consumer = new TopHatConsumer(ConsumerConfig.of(cluster.balancerUri()));
        pages = consumer.history("bulk", HistoryQuery.all().withPageSize(10_000)).toList();
        assertThat(pages).hasSize(ROWS);
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    @Test
    void ndjson_of_100000_heartbeats_parses_back_to_the_same_records() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        consumer.export("bulk", HistoryQuery.all(), ExportFormat.NDJSON, out, n -> { });
        Iterator<String> lines = out.toString(StandardCharsets.UTF_8).lines().iterator();
        for (Heartbeat expected : pages) {
            assertThat(HeartbeatJson.decode(lines.next().getBytes(StandardCharsets.UTF_8))).isEqualTo(expected);
        }
        assertThat(lines.hasNext()).isFalse();
    }

    @Test
    void csv_of_100000_heartbeats_parses_back_to_the_same_records() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        consumer.export("bulk", HistoryQuery.all(), ExportFormat.CSV, out, n -> { });
        try (CSVParser parser = CSVParser.parse(new StringReader(out.toString(StandardCharsets.UTF_8)),
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            Iterator<CSVRecord> rows = parser.iterator();
            for (Heartbeat expected : pages) {
                CSVRecord row = rows.next();
                assertThat(row.get("producer")).isEqualTo(expected.producer());
                assertThat(Long.parseLong(row.get("time"))).isEqualTo(expected.time());
                assertThat(Long.parseLong(row.get("received_at"))).isEqualTo(expected.receivedAt());
                assertThat(row.get("device_time")).isEqualTo(expected.deviceTime() == null ? "" : expected.deviceTime().toString());
                assertThat(row.get("seq")).isEqualTo(expected.seq() == null ? "" : expected.seq().toString());
                assertThat(row.get("data")).isEqualTo(expected.data());
                assertThat(row.get("ip_address")).isEqualTo(expected.ipAddress());
                assertThat(HeartbeatJson.decodeLocation(row.get("location"))).isEqualTo(expected.location());
                assertThat(row.get("label")).isEqualTo(expected.location().label() == null ? "" : expected.location().label());
            }
            assertThat(rows.hasNext()).isFalse();
        }
    }

    @Test
    void geojson_is_a_feature_collection_of_every_point_and_the_track() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        consumer.export("bulk", HistoryQuery.all(), ExportFormat.GEOJSON, out, n -> { });
        JsonNode collection = JSON.readTree(out.toByteArray());
        assertThat(collection.path("type").asText()).isEqualTo("FeatureCollection");
        JsonNode features = collection.path("features");
        assertThat(features).hasSize(ROWS + 1);
        long points = pages.stream().filter(h -> h.location().label() == null).count();
        JsonNode track = features.get(ROWS);
        assertThat(track.path("geometry").path("coordinates")).hasSize((int) points);
        JsonNode first = features.get(0);
        assertThat(first.path("type").asText()).isEqualTo("Feature");
        assertThat(first.path("properties").path("producer").asText()).isEqualTo("bulk");
        for (int i = 0; i < 100; i++) {
            JsonNode f = features.get(i);
            Heartbeat h = pages.get(i);
            if (h.location().label() == null) {
                assertThat(f.path("geometry").path("coordinates").get(0).asDouble()).isEqualTo(h.location().lon());
                assertThat(f.path("geometry").path("coordinates").get(1).asDouble()).isEqualTo(h.location().lat());
            } else {
                assertThat(f.path("geometry").isNull()).isTrue();
            }
        }
    }
}
