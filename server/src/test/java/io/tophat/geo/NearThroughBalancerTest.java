package io.tophat.geo;

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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Who is near here" through the balancer over three workers: random producers (the antimeridian and the poles
 * included) against brute force over what they sent, and a producer that moved found once, where it is now.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NearThroughBalancerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PRODUCERS = 10_000;

    @TempDir
    static Path dir;

    private EmbeddedCluster cluster;
    private String balancer;
    private final Map<String, double[]> positions = new HashMap<>();

    @BeforeAll
    void start() {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 3);
        balancer = cluster.balancerUri().toString();
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < PRODUCERS; i++) {
            String id = "n" + i;
            double lat = i % 3 == 0 ? random.nextDouble(88, 90) : random.nextDouble(-60, 60);
            double lon = i % 3 == 1 ? (random.nextBoolean() ? random.nextDouble(178, 180) : random.nextDouble(-180, -178))
                    : random.nextDouble(-180, 180);
            String worker = Http.get(balancer + "/register/" + id).body().strip();
            send(worker, id, 1, lat, lon);
            positions.put(id, new double[]{lat, lon});
        }
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    private static void send(String worker, String id, long seq, double lat, double lon) {
        HttpResponse<String> r = Http.postJson(worker + "/api/v1/heartbeats", "{\"id\":\"" + id + "\",\"seq\":" + seq
                + ",\"location\":{\"lat\":" + lat + ",\"lon\":" + lon + "},\"data\":{}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private JsonNode near(double lat, double lon, double radius, int limit) throws Exception {
        HttpResponse<String> r = Http.get(balancer + "/api/v1/near?lat=" + lat + "&lon=" + lon + "&radius_m=" + radius
                + "&limit=" + limit);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void answers_equal_brute_force_over_what_the_producers_sent() throws Exception {
        SplittableRandom random = new SplittableRandom(99);
        for (int q = 0; q < 40; q++) {
            double lat = q % 4 == 0 ? 89.5 : random.nextDouble(-60, 60);
            double lon = q % 4 == 1 ? 179.9 : random.nextDouble(-180, 180);
            double radius = q % 2 == 0 ? 500_000 : random.nextDouble(10_000, 3_000_000);
            List<String> expected = new ArrayList<>(positions.keySet()).stream()
                    .filter(id -> Haversine.metres(lat, lon, positions.get(id)[0], positions.get(id)[1]) <= radius)
                    .sorted(Comparator.comparingDouble((String id) -> Haversine.metres(lat, lon, positions.get(id)[0],
                            positions.get(id)[1])).thenComparing(id -> id))
                    .limit(200).toList();
            JsonNode answer = near(lat, lon, radius, 200);
            assertThat(answer.path("complete").asBoolean()).isTrue();
            List<String> found = new ArrayList<>();
            answer.path("items").forEach(item -> found.add(item.path("producer").asText()));
            assertThat(found).as("within %.0f m of %.3f,%.3f", radius, lat, lon).isEqualTo(expected);
        }
    }

    @Test
    void a_producer_that_moved_is_found_once_where_it_is_now_with_its_new_worker() throws Exception {
        String first = Http.get(balancer + "/register/mover").body().strip();
        send(first, "mover", 1, 10.0, 20.0);
        String second = JSON.readTree(Http.send("POST", balancer + "/api/v1/producers/mover/assignment?failed="
                + URLEncoder.encode(first, StandardCharsets.UTF_8), null).body()).path("worker").asText();
        send(second, "mover", 2, 10.001, 20.001);
        JsonNode here = near(10.0, 20.0, 1000, 10);
        List<JsonNode> movers = new ArrayList<>();
        here.path("items").forEach(i -> {
            if (i.path("producer").asText().equals("mover")) {
                movers.add(i);
            }
        });
        assertThat(movers).hasSize(1);
        assertThat(movers.get(0).path("worker").asText()).isEqualTo(second);
        assertThat(movers.get(0).path("location").path("lat").asDouble()).isEqualTo(10.001);
    }

    @Test
    void bad_near_parameters_get_a_clear_400() {
        for (String query : new String[]{"lon=1&radius_m=5", "lat=91&lon=0&radius_m=5", "lat=0&lon=181&radius_m=5",
                "lat=0&lon=0&radius_m=0", "lat=0&lon=0&radius_m=1e9", "lat=x&lon=0&radius_m=5",
                "lat=0&lon=0&radius_m=5&limit=0", "lat=0&lon=0&radius_m=5&seen_since=soon"}) {
            HttpResponse<String> r = Http.get(balancer + "/api/v1/near?" + query);
            assertThat(r.statusCode()).as(query + ": " + r.body()).isEqualTo(400);
            assertThat(r.body()).startsWith("{\"error\":\"invalid ");
        }
    }
}
