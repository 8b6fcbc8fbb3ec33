package io.tophat.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.client.ConsumerConfig;
import io.tophat.client.Erasure;
import io.tophat.client.ExportFormat;
import io.tophat.client.HistoryQuery;
import io.tophat.client.IncompleteHistoryException;
import io.tophat.client.ProducerInfo;
import io.tophat.client.ServerStatusException;
import io.tophat.client.TopHatConsumer;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.examples.WhereHaveYouBeen;
import io.tophat.protocol.Heartbeat;
import io.tophat.testing.Http;
import io.tophat.testing.StandardOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The consumer library and the {@code history} and {@code erase} commands against real servers: a producer whose
 * history is on two workers, read as a lazily paged stream, exported, listed, erased; an unreadable store stops a
 * read instead of skipping part of it; the README's consumer example runs, and the README holds its code.
 */
@Timeout(120)
class ConsumerLibraryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private EmbeddedCluster cluster;
    private TopHatConsumer consumer;
    private String first;
    private String second;

    @BeforeEach
    void start() throws Exception {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 2);
        String balancer = cluster.balancerUri().toString();
        consumer = new TopHatConsumer(ConsumerConfig.of(cluster.balancerUri()));
        first = Http.get(balancer + "/register/phone").body().strip();
        long now = System.currentTimeMillis();
        for (int i = 1; i <= 10; i++) {
            send(first, i, now - 10_000 + i * 100);
        }
        second = JSON.readTree(Http.send("POST", balancer + "/api/v1/producers/phone/assignment?failed="
                + URLEncoder.encode(first, StandardCharsets.UTF_8), null).body()).path("worker").asText();
        for (int i = 11; i <= 20; i++) {
            send(second, i, now - 10_000 + i * 100);
        }
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static void send(String worker, long seq, long deviceTime) {
        assertThat(Http.postJson(worker + "/api/v1/heartbeats", "{\"id\":\"phone\",\"seq\":" + seq + ",\"device_time\":"
                + deviceTime + ",\"location\":{\"lat\":56.3,\"lon\":-2.79},\"data\":{\"n\":" + seq + "}}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void the_history_stream_follows_the_cursors_across_both_stores_lazily() throws Exception {
        List<Long> seqs = consumer.history("phone", HistoryQuery.all().withPageSize(3)).map(Heartbeat::seq).toList();
        assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);
        assertThat(consumer.history("phone", HistoryQuery.all().newestFirst().withPageSize(7)).limit(2)
                .map(Heartbeat::seq)).containsExactly(20L, 19L);
        assertThat(consumer.historyPageAsync("phone", HistoryQuery.all().withPageSize(5), null).get().next()).isNotNull();
        assertThat(consumer.latestAsync("phone").get()).map(Heartbeat::seq).hasValue(20L);
    }

    @Test
    void an_export_streams_every_record_and_the_producer_list_and_erasure_say_what_they_did() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long bytes = consumer.export("phone", null, null, ExportFormat.NDJSON, out);
        assertThat(bytes).isEqualTo(out.size());
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(20);

        List<ProducerInfo> producers = consumer.producers(Instant.now().minusSeconds(60)).toList();
        assertThat(producers).extracting(ProducerInfo::id).containsExactly("phone");
        assertThat(producers.get(0).worker().toString()).isEqualTo(second);

        Erasure erasure = consumer.eraseAsync("phone").get();
        assertThat(erasure.total()).isEqualTo(20);
        assertThat(erasure.erased()).hasSize(2);
        assertThat(consumer.latest("phone")).isEmpty();
        assertThatThrownBy(() -> consumer.history("phone", HistoryQuery.all()).count())
                .isInstanceOf(ServerStatusException.class).hasMessageContaining("404");
    }

    @Test
    void a_store_no_worker_can_read_stops_the_stream_and_the_export_instead_of_skipping_it() {
        for (int i = 0; i < cluster.workerCount(); i++) {
            if (cluster.worker(i).url().equals(first)) {
                cluster.stopWorker(i);
            }
        }
        assertThatThrownBy(() -> consumer.history("phone", HistoryQuery.all()).count())
                .isInstanceOf(IncompleteHistoryException.class).hasMessageContaining(first.substring(7));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> consumer.export("phone", null, null, ExportFormat.CSV, out))
                .isInstanceOf(IncompleteHistoryException.class);
        assertThat(out.size()).as("nothing written of an incomplete export").isZero();
    }

    @Test
    void the_history_and_erase_commands_print_what_the_api_answers() throws Exception {
        String balancer = "127.0.0.1:" + cluster.balancerUri().getPort();
        String csv = StandardOutput.ofTophat("history", "phone", "--balancer", balancer, "--format", "csv");
        assertThat(csv.lines()).hasSize(21).first().asString().startsWith("producer,time,received_at");
        String json = StandardOutput.ofTophat("history", "phone", "--balancer", balancer, "--format", "json");
        assertThat(json.lines()).hasSize(20);
        assertThat(JSON.readTree(json.lines().findFirst().orElseThrow()).path("seq").asLong()).isEqualTo(1);
        assertThat(StandardOutput.ofTophat("erase", "phone", "--balancer", balancer))
                .contains("producer phone erased: 20 heartbeats");
        assertThat(io.tophat.cli.Main.commandLine().execute("erase", "phone", "--balancer", balancer))
                .as("erased already").isEqualTo(1);
    }

    @Test
    void the_readme_example_runs_and_the_readme_shows_its_code() throws Exception {
        String output = StandardOutput.of(() -> WhereHaveYouBeen.main(
                new String[]{cluster.balancerUri().toString(), "phone"}));
        assertThat(output).contains("20 positions today").contains("bytes of GeoJSON");
        Files.deleteIfExists(Path.of("phone-today.geojson"));
        String source = Files.readString(Path.of("src/test/java/io/tophat/examples/WhereHaveYouBeen.java"));
        String body = source.substring(source.indexOf("public final class WhereHaveYouBeen"));
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).as("README.md shows the example as it compiles").contains(body.strip());
    }
}
