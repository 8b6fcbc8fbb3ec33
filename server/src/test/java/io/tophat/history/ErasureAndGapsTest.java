package io.tophat.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.testing.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A producer whose history is on two workers: with one of them stopped the balancer says the answer is
 * incomplete and names it; erasure reaches every store and leaves no read path with anything of the producer;
 * the producer list and batch refusals. Real servers on loopback, real SQLite files.
 */
@Timeout(120)
class ErasureAndGapsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private EmbeddedCluster cluster;
    private String balancer;
    private final List<String> holders = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 2);
        balancer = cluster.balancerUri().toString();
        String first = Http.get(balancer + "/register/traveller").body().strip();
        send(first, "traveller", 1, "\"home\"");
        send(first, "bystander", 1, "{\"lat\":1,\"lon\":2}");
        String second = JSON.readTree(Http.send("POST", balancer + "/api/v1/producers/traveller/assignment?failed="
                + URLEncoder.encode(first, StandardCharsets.UTF_8), null).body()).path("worker").asText();
        assertThat(second).isNotEqualTo(first);
        send(second, "traveller", 2, "\"home\"");
        send(second, "traveller", 3, "{\"lat\":56.3,\"lon\":-2.8}");
        holders.add(first);
        holders.add(second);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static void send(String worker, String id, long seq, String location) {
        HttpResponse<String> r = Http.postJson(worker + "/api/v1/heartbeats", "{\"id\":\"" + id + "\",\"seq\":" + seq
                + ",\"location\":" + location + ",\"data\":{\"seq\":" + seq + "}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private JsonNode history() throws Exception {
        HttpResponse<String> r = Http.get(balancer + "/api/v1/producers/traveller/history?order=asc");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private int workerIndex(String url) {
        for (int i = 0; i < cluster.workerCount(); i++) {
            if (cluster.worker(i) != null && url.equals(cluster.worker(i).url())) {
                return i;
            }
        }
        throw new AssertionError("no worker at " + url);
    }

    @Test
    void with_one_store_unreadable_the_history_says_it_is_incomplete_and_names_the_worker() throws Exception {
        assertThat(history().path("heartbeats")).hasSize(3);
        int second = workerIndex(holders.get(1));
        String secondId = holders.get(1).substring("http://".length());
        cluster.stopWorker(second);

        JsonNode partial = history();
        assertThat(partial.path("complete").asBoolean()).isFalse();
        assertThat(partial.path("missing")).extracting(JsonNode::asText).containsExactly(secondId);
        assertThat(partial.path("heartbeats")).extracting(h -> h.path("seq").asLong()).containsExactly(1L);
        HttpResponse<String> csv = Http.get(balancer + "/api/v1/producers/traveller/history?format=csv");
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("TopHat-Missing")).hasValue(secondId);

        cluster.startWorker(second, Integer.parseInt(secondId.substring(secondId.lastIndexOf(':') + 1)));
        JsonNode whole = history();
        assertThat(whole.path("complete").asBoolean()).isTrue();
        assertThat(whole.path("heartbeats")).extracting(h -> h.path("seq").asLong()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void after_erasure_no_read_path_returns_anything_of_the_producer_and_others_keep_theirs() throws Exception {
        HttpResponse<String> erased = Http.send("DELETE", balancer + "/api/v1/producers/traveller", null);
        assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(erased.body());
        assertThat(answer.path("total").asLong()).isEqualTo(3);
        assertThat(answer.path("erased")).hasSize(2);

        assertThat(Http.get(balancer + "/get_data/traveller").statusCode()).isEqualTo(400);
        assertThat(Http.get(balancer + "/api/v1/producers/traveller").statusCode()).isEqualTo(404);
        assertThat(Http.get(balancer + "/api/v1/producers/traveller/history").statusCode()).isEqualTo(404);
        for (String worker : holders) {
            assertThat(Http.get(worker + "/get_data/traveller").statusCode()).as(worker).isEqualTo(400);
            assertThat(Http.get(worker + "/api/v1/producers/traveller").statusCode()).as(worker).isEqualTo(404);
            JsonNode direct = JSON.readTree(Http.get(worker + "/api/v1/producers/traveller/history").body());
            assertThat(direct.path("heartbeats")).as(worker).isEmpty();
            assertThat(Http.get(worker + "/api/v1/producers/traveller/history?format=ndjson").body()).isEmpty();
            assertThat(Http.get(worker + "/get_data_location/home").statusCode()).as("label read at " + worker)
                    .isEqualTo(400);
        }
        assertThat(Http.get(holders.get(0) + "/get_data/bystander").statusCode()).isEqualTo(200);
        assertThat(Http.send("DELETE", balancer + "/api/v1/producers/traveller", null).statusCode())
                .as("erased already").isEqualTo(404);
    }

    @Test
    void erasure_with_a_store_down_is_a_503_that_reports_only_what_was_erased() throws Exception {
        int second = workerIndex(holders.get(1));
        cluster.stopWorker(second);
        HttpResponse<String> r = Http.send("DELETE", balancer + "/api/v1/producers/traveller", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("retry-after")).isPresent();
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("total").asLong()).as("the first worker's one heartbeat").isEqualTo(1);
        assertThat(body.path("unreachable")).hasSize(1);
        assertThat(history().path("complete").asBoolean()).as("the producer is still known").isFalse();

        HttpResponse<String> forced = Http.send("DELETE", balancer + "/api/v1/producers/traveller?forget_unreachable=true", null);
        assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
        assertThat(JSON.readTree(forced.body()).path("abandoned")).hasSize(1);
        assertThat(Http.get(balancer + "/api/v1/producers/traveller/history").statusCode()).isEqualTo(404);
    }

    @Test
    void the_producer_list_pages_every_producer_by_id_with_its_worker_and_last_seen() throws Exception {
        Http.get(balancer + "/register/bystander");
        Http.get(balancer + "/register/silent");
        JsonNode all = JSON.readTree(Http.get(balancer + "/api/v1/producers").body());
        assertThat(all.path("producers")).extracting(p -> p.path("id").asText())
                .containsExactly("bystander", "silent", "traveller");
        assertThat(all.path("producers").get(1).path("last_seen").isNull()).as("never heard from").isTrue();
        assertThat(all.path("producers").get(2).path("worker").asText()).isEqualTo(holders.get(1));
        assertThat(all.path("complete").asBoolean()).isTrue();

        List<String> paged = new ArrayList<>();
        String cursor = null;
        for (int i = 0; i < 10; i++) {
            JsonNode page = JSON.readTree(Http.get(balancer + "/api/v1/producers?limit=1"
                    + (cursor == null ? "" : "&cursor=" + cursor)).body());
            page.path("producers").forEach(p -> paged.add(p.path("id").asText()));
            if (page.path("next").isNull()) {
                break;
            }
            cursor = page.path("next").asText();
        }
        assertThat(paged).containsExactly("bystander", "silent", "traveller");
        JsonNode recent = JSON.readTree(Http.get(balancer + "/api/v1/producers?seen_since="
                + java.time.Instant.now().minusSeconds(60)).body());
        assertThat(recent.path("producers")).extracting(p -> p.path("id").asText()).containsExactly("bystander", "traveller");
        assertThat(Http.get(balancer + "/api/v1/producers?limit=0").statusCode()).isEqualTo(400);
        assertThat(Http.get(balancer + "/api/v1/producers?cursor=zz").statusCode()).isEqualTo(400);
    }

    @Test
    void a_batch_with_one_bad_item_is_refused_whole_naming_its_index() throws Exception {
        String worker = holders.get(1);
        HttpResponse<String> bad = Http.postJson(worker + "/api/v1/producers/traveller/heartbeats",
                "[{\"seq\":10,\"location\":{\"lat\":1,\"lon\":1},\"data\":1},{\"seq\":11,\"location\":{\"lat\":91,\"lon\":1},\"data\":1}]");
        assertThat(bad.statusCode()).as(bad.body()).isEqualTo(422);
        assertThat(bad.body()).contains("item 1");
        HttpResponse<String> other = Http.postJson(worker + "/api/v1/producers/traveller/heartbeats",
                "[{\"id\":\"someone-else\",\"location\":{\"lat\":1,\"lon\":1},\"data\":1}]");
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(Http.postJson(worker + "/api/v1/producers/traveller/heartbeats", "[]").statusCode()).isEqualTo(422);
        assertThat(Http.postJson(worker + "/api/v1/producers/traveller/heartbeats", "{}").statusCode()).isEqualTo(422);
        assertThat(Http.postJson(worker + "/api/v1/producers/traveller/heartbeats", "[{").statusCode()).isEqualTo(400);
        assertThat(history().path("heartbeats")).as("nothing of the refused batches").hasSize(3);

        HttpResponse<String> again = Http.postJson(worker + "/api/v1/producers/traveller/heartbeats",
                "[{\"seq\":3,\"location\":{\"lat\":1,\"lon\":1},\"data\":1},{\"seq\":12,\"location\":\"x\",\"data\":1},"
                        + "{\"seq\":12,\"location\":\"x\",\"data\":1}]");
        JsonNode counts = JSON.readTree(again.body());
        assertThat(counts.path("stored").asInt()).isEqualTo(1);
        assertThat(counts.path("duplicates").asInt()).as("seq 3 stored before, seq 12 twice in the batch").isEqualTo(2);
        assertThat(counts.path("max_seq").asLong()).isEqualTo(12);
    }
}
