package io.tophat.phones;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.testing.Http;
import io.tophat.testing.SecuredCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** OwnTracks over HTTP, unchanged, against the balancer's {@code /pub} and {@code /owntracks}. */
@Timeout(120)
class OwnTracksThroughBalancerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** A location message as the OwnTracks apps send it (the booklet's shape, with this test's values). */
    private static final String LOCATION = PhoneFixtures.text("owntracks-location.json");

    @TempDir
    static Path dir;
    private static EmbeddedCluster cluster;
    private static String balancer;

    @BeforeAll
    static void start() {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", UnaryOperator.identity()).start(0, 2);
        balancer = cluster.balancerUri().toString();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void a_location_is_stored_under_user_colon_device_with_units_converted_and_the_rest_in_data() throws Exception {
        HttpResponse<String> r = post("/pub", LOCATION, "X-Limit-U", "Jane", "X-Limit-D", "Phone");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("[]");

        JsonNode latest = latest("jane:phone");
        JsonNode location = latest.get("location");
        assertThat(location.get("lat").asDouble()).isEqualTo(51.5074);
        assertThat(location.get("lon").asDouble()).isEqualTo(-0.1278);
        assertThat(location.get("alt").asDouble()).isEqualTo(48.0);
        assertThat(location.get("accuracy").asDouble()).isEqualTo(13.0);
        assertThat(location.get("speed").asDouble()).as("36 km/h").isCloseTo(10.0, within(1e-9));
        assertThat(location.get("bearing").asDouble()).isEqualTo(180.0);
        assertThat(latest.get("device_time").asLong()).isEqualTo(1764590400_000L);
        assertThat(latest.get("data").toString()).isEqualTo("{\"batt\":64,\"bs\":1,\"conn\":\"w\","
                + "\"created_at\":1764590460,\"t\":\"u\",\"tid\":\"JD\",\"vac\":3,\"inregions\":[\"home\"],"
                + "\"topic\":\"owntracks/jane/phone\"}");
    }

    @Test
    void the_producer_comes_from_the_headers_else_the_u_and_d_parameters_else_the_basic_user() throws Exception {
        assertThat(post("/owntracks?u=Max&d=Tablet", LOCATION).statusCode()).isEqualTo(200);
        assertThat(latest("max:tablet").get("location").get("lat").asDouble()).isEqualTo(51.5074);
        assertThat(post("/pub", LOCATION, "Authorization", basic("Alex", "")).statusCode()).isEqualTo(200);
        assertThat(latest("alex").get("device_time").asLong()).isEqualTo(1764590400_000L);
        HttpResponse<String> nobody = post("/pub", LOCATION);
        assertThat(nobody.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(nobody.body()).get("error").asText()).isEqualTo("invalid producer id");
    }

    @Test
    void other_types_and_empty_posts_are_answered_and_store_no_position_and_a_resend_is_stored_once()
            throws Exception {
        String id = "sam:watch";
        assertThat(post("/pub", LOCATION, "X-Limit-U", "sam", "X-Limit-D", "watch").statusCode()).isEqualTo(200);
        for (String other : List.of(PhoneFixtures.text("owntracks-transition.json"),
                PhoneFixtures.text("owntracks-waypoint.json"), PhoneFixtures.text("owntracks-lwt.json"),
                PhoneFixtures.text("owntracks-card.json"), "{\"_type\":\"status\"}",
                "{\"_type\":\"encrypted\",\"data\":\"abc\"}", "{}", "")) {
            HttpResponse<String> r = post("/pub", other, "X-Limit-U", "sam", "X-Limit-D", "watch");
            assertThat(r.statusCode()).as(other).isEqualTo(200);
            assertThat(r.body()).as(other).isEqualTo("[]");
        }
        assertThat(post("/pub", LOCATION, "X-Limit-U", "sam", "X-Limit-D", "watch").statusCode()).as("a resend")
                .isEqualTo(200);
        assertThat(history(id)).as("one position, stored once").hasSize(1);
        assertThat(latest(id).get("location").get("lat").asDouble()).isEqualTo(51.5074);
    }

    @Test
    void malformed_messages_get_a_clear_400_and_nothing_is_stored() throws Exception {
        String[][] cases = {
                {"{\"_type\":\"location\",\"lat\":51.5", "malformed JSON"},
                {"{\"_type\":\"location\",\"lon\":1,\"tst\":1}", "invalid location"},
                {"{\"_type\":\"location\",\"lat\":\"51\",\"lon\":1}", "invalid lat"},
                {"{\"_type\":\"location\",\"lat\":51,\"lon\":1,\"tst\":1.5}", "invalid tst"},
                {"{\"_type\":\"location\",\"lat\":51,\"lon\":1,\"vel\":\"fast\"}", "invalid vel"},
                {"[1,2]", "invalid message"}};
        for (String[] c : cases) {
            HttpResponse<String> r = post("/pub", c[0], "X-Limit-U", "broken", "X-Limit-D", "phone");
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("error").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(Http.get(balancer + "/api/v1/producers/broken:phone").statusCode()).as("nothing stored")
                .isEqualTo(404);
    }

    @Test
    void with_credentials_the_basic_password_is_the_producers_token(@TempDir Path own) throws Exception {
        try (SecuredCluster secured = SecuredCluster.start(own, 1)) {
            String b = secured.balancer().toString();
            String id = "kim:phone";
            assertThat(postTo(b, "/pub", LOCATION, "Authorization", basic("kim", "wrong"), "X-Limit-D", "phone")
                    .statusCode()).isEqualTo(401);
            assertThat(postTo(b, "/pub", LOCATION, "X-Limit-U", "kim", "X-Limit-D", "phone").statusCode())
                    .as("no password").isEqualTo(401);
            assertThat(postTo(b, "/pub", LOCATION, "Authorization", basic("kim", secured.token(id)), "X-Limit-D", "phone")
                    .statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return postTo(balancer, path, body, headers);
    }

    private static HttpResponse<String> postTo(String base, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode latest(String producer) throws Exception {
        return PhoneFixtures.latest(balancer, producer);
    }

    private static List<JsonNode> history(String producer) throws Exception {
        return PhoneFixtures.history(balancer, producer);
    }
}
