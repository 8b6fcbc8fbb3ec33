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

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Areas: a path entering and leaving a circle and a polygon gives exactly the expected enter and leave events,
 * also when the producer changes worker between two points; who is inside now; definitions kept and checked.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AreaEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private EmbeddedCluster cluster;
    private String balancer;

    @BeforeAll
    void start() {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 2);
        balancer = cluster.balancerUri().toString();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private HttpResponse<String> define(String body) {
        return Http.postJson(balancer + "/api/v1/areas", body);
    }

    private static void send(String worker, String id, long seq, double lat, double lon) {
        HttpResponse<String> r = Http.postJson(worker + "/api/v1/heartbeats", "{\"id\":\"" + id + "\",\"seq\":" + seq
                + ",\"location\":{\"lat\":" + lat + ",\"lon\":" + lon + "},\"data\":{\"step\":" + seq + "}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static List<String> events(SseSubscriber sub) throws Exception {
        List<String> out = new ArrayList<>();
        for (SseSubscriber.Frame f : sub.frames()) {
            if (f.event() != null) {
                JsonNode d = JSON.readTree(f.data());
                out.add(f.event() + " " + d.get("producer").asText() + " @" + d.get("heartbeat").get("seq").asLong());
            }
        }
        return out;
    }

    @Test
    void a_path_through_two_areas_gives_each_crossing_once_across_a_move() throws Exception {
        assertThat(define("{\"name\":\"plaza\",\"lat\":10.0,\"lon\":20.0,\"radius_m\":500}").statusCode()).isEqualTo(201);
        // a square about 1.1 km wide, east of the plaza
        assertThat(define("{\"name\":\"park\",\"polygon\":{\"type\":\"Polygon\",\"coordinates\":[[[20.02,9.995],"
                + "[20.03,9.995],[20.03,10.005],[20.02,10.005],[20.02,9.995]]]}}").statusCode()).isEqualTo(201);
        try (SseSubscriber plaza = SseSubscriber.open(balancer + "/api/v1/areas/plaza/stream");
             SseSubscriber park = SseSubscriber.open(balancer + "/api/v1/areas/park/stream")) {
            assertThat(plaza.status()).isEqualTo(200);
            Thread.sleep(1000); // the balancer subscribes to both workers' streams
            String first = Http.get(balancer + "/register/walker").body().strip();
            send(first, "walker", 1, 10.0, 19.9);    // outside both
            send(first, "walker", 2, 10.001, 20.001); // in the plaza
            String second = Http.get(balancer + "/register/walker?failed="
                    + URLEncoder.encode(first, StandardCharsets.UTF_8)).body().strip();
            assertThat(second).isNotEqualTo(first);
            send(second, "walker", 3, 10.0, 20.025);  // left the plaza, in the park (on the other worker)
            send(second, "walker", 4, 10.0, 20.1);    // outside both
            send(second, "walker", 5, 10.0, 20.0);    // the plaza again
            plaza.awaitEvents("enter", 2, 10);
            park.awaitEvents("leave", 1, 10);
            Thread.sleep(300);
            assertThat(events(plaza)).containsExactly("enter walker @2", "leave walker @3", "enter walker @5");
            assertThat(events(park)).containsExactly("enter walker @3", "leave walker @4");
        }
        JsonNode now = JSON.readTree(Http.get(balancer + "/api/v1/areas/plaza").body());
        assertThat(now.get("inside")).extracting(n -> n.get("producer").asText()).containsExactly("walker");
        assertThat(now.get("complete").asBoolean()).isTrue();
        JsonNode parkNow = JSON.readTree(Http.get(balancer + "/api/v1/areas/park").body());
        assertThat(parkNow.get("inside")).isEmpty();
    }

    @Test
    void definitions_are_checked_kept_and_listed() throws Exception {
        assertThat(define("{\"name\":\"dock\",\"lat\":1,\"lon\":2,\"radius_m\":100}").statusCode()).isEqualTo(201);
        assertThat(define("{\"name\":\"dock\",\"lat\":1,\"lon\":2,\"radius_m\":100}").statusCode()).isEqualTo(200);
        assertThat(define("{\"name\":\"dock\",\"lat\":1,\"lon\":2,\"radius_m\":200}").statusCode()).isEqualTo(409);
        for (String bad : List.of("[]", "{\"name\":\"a b\",\"lat\":1,\"lon\":2,\"radius_m\":1}",
                "{\"name\":\"x\",\"lat\":91,\"lon\":2,\"radius_m\":1}", "{\"name\":\"x\",\"lat\":1,\"lon\":2,\"radius_m\":0}",
                "{\"name\":\"x\",\"polygon\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}}",
                "{\"name\":\"x\",\"polygon\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}}",
                "{\"name\":\"x\",\"polygon\":{\"type\":\"Point\",\"coordinates\":[0,0]}}", "not json")) {
            HttpResponse<String> r = define(bad);
            assertThat(r.statusCode()).as(bad).isBetween(400, 422);
            assertThat(JSON.readTree(r.body()).get("error").asText()).as(bad).isNotBlank();
        }
        assertThat(Http.get(balancer + "/api/v1/areas/nowhere").statusCode()).isEqualTo(404);
        assertThat(Http.get(balancer + "/api/v1/areas/nowhere/stream").statusCode()).isEqualTo(404);
        JsonNode list = JSON.readTree(Http.get(balancer + "/api/v1/areas").body());
        assertThat(list.get("items")).extracting(n -> n.get("name").asText()).contains("dock");
        assertThat(Http.send("DELETE", balancer + "/api/v1/areas/dock", null).statusCode()).isEqualTo(204);
        assertThat(Http.get(balancer + "/api/v1/areas/dock").statusCode()).isEqualTo(404);
    }
}
