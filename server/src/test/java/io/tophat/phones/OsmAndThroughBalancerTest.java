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
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Traccar Client and other OsmAnd senders, unchanged, against the balancer's front door: every documented form
 * (query, urlencoded form, Traccar Client 9's JSON, a JSON array of buffered positions), every timestamp format and
 * unit, through to storage and back through the consumer API.
 */
@Timeout(120)
class OsmAndThroughBalancerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final double KNOT = 1852.0 / 3600.0;

    @TempDir
    static Path dir;
    private static EmbeddedCluster cluster;
    private static String balancer;

    @BeforeAll
    static void start() {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", UnaryOperator.identity())
                .balancerSettings(b -> b.withOsmandPort(0)).start(0, 2);
        balancer = cluster.balancerUri().toString();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void a_query_position_is_stored_with_its_units_converted_and_every_other_parameter_in_data() throws Exception {
        HttpResponse<String> r = send("GET", balancer + "/osmand?id=traccar-1&lat=56.3398&lon=-2.7967"
                + "&timestamp=1764590400&speed=10&bearing=270.5&altitude=12.5&accuracy=4.5&batt=87&charge=true"
                + "&hdop=0.9&valid=true&driverUniqueId=007&note=caf%C3%A9+au+lait", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();

        JsonNode latest = latest("traccar-1");
        JsonNode location = latest.get("location");
        assertThat(location.get("lat").asDouble()).isEqualTo(56.3398);
        assertThat(location.get("lon").asDouble()).isEqualTo(-2.7967);
        assertThat(location.get("alt").asDouble()).isEqualTo(12.5);
        assertThat(location.get("accuracy").asDouble()).isEqualTo(4.5);
        assertThat(location.get("speed").asDouble()).as("10 knots in m/s").isCloseTo(10 * KNOT, within(1e-9));
        assertThat(location.get("bearing").asDouble()).isEqualTo(270.5);
        assertThat(latest.get("device_time").asLong()).as("seconds below 2^31").isEqualTo(1764590400_000L);
        assertThat(latest.get("data").toString()).isEqualTo(
                "{\"batt\":87,\"charge\":true,\"hdop\":0.9,\"valid\":true,\"driverUniqueId\":\"007\","
                        + "\"note\":\"café au lait\"}");
    }

    @Test
    void every_timestamp_format_gives_the_same_instant_and_location_and_heading_are_read_too() throws Exception {
        long ms = 1764590400_250L;
        String[] forms = {"timestamp=" + ms, "timestamp=2025-12-01T12:00:00.250Z",
                "timestamp=2025-12-01T13:00:00.250%2B01:00", "timestamp=2025-12-01+12:00:00.250",
                "timestamp=2025-12-01T12:00:00.250"};
        for (int i = 0; i < forms.length; i++) {
            String id = "times-" + i;
            assertThat(send("POST", balancer + "/osmand?deviceid=" + id + "&location=56.1,-2.5&heading=45&" + forms[i],
                    null, null).statusCode()).as(forms[i]).isEqualTo(200);
            JsonNode latest = latest(id);
            assertThat(latest.get("device_time").asLong()).as(forms[i]).isEqualTo(ms);
            assertThat(latest.get("location").get("lat").asDouble()).isEqualTo(56.1);
            assertThat(latest.get("location").get("bearing").asDouble()).isEqualTo(45.0);
        }
        assertThat(latest("times-0").get("seq").asLong()).as("seq is the device time").isEqualTo(ms);
    }

    @Test
    void the_newest_clients_form_body_and_traccar_client_nines_json_are_both_read() throws Exception {
        HttpResponse<String> form = send("POST", balancer + "/osmand", "application/x-www-form-urlencoded",
                PhoneFixtures.text("traccar-client-form.txt"));
        assertThat(form.statusCode()).isEqualTo(200);
        JsonNode fromForm = latest("form-1");
        assertThat(fromForm.get("location").get("lat").asDouble()).isEqualTo(52.37);
        assertThat(fromForm.get("data").toString()).isEqualTo("{\"batt\":55.5,\"charge\":false,\"motion\":true}");

        String nine = PhoneFixtures.text("traccar-client-9.json");
        assertThat(send("POST", cluster.balancerUri().getScheme() + "://127.0.0.1:" + cluster.balancer().osmandPort()
                + "/", "application/json", nine).statusCode()).as("the dedicated port, at its root").isEqualTo(200);
        JsonNode fromNine = latest("client-9");
        assertThat(fromNine.get("device_time").asLong()).isEqualTo(Instant.parse("2025-12-01T12:00:05Z").toEpochMilli());
        assertThat(fromNine.get("location").has("speed")).as("a negative speed means unknown").isFalse();
        assertThat(fromNine.get("location").get("bearing").asDouble()).isEqualTo(90.0);
        assertThat(fromNine.get("location").get("alt").asDouble()).isEqualTo(35.0);
        JsonNode data = fromNine.get("data");
        assertThat(data.get("batt").asDouble()).isCloseTo(82.0, within(1e-9));
        assertThat(data.get("charge").asBoolean()).isTrue();
        assertThat(data.get("is_moving").asBoolean()).isTrue();
        assertThat(data.get("odometer").asDouble()).isEqualTo(1234.5);
        assertThat(data.get("event").asText()).isEqualTo("motionchange");
        assertThat(data.get("activity").asText()).isEqualTo("walking");
        assertThat(data.get("trip").asText()).isEqualTo("morning");
        assertThat(data.get("uuid").asText()).as("other members of location").isEqualTo("4f0e2c52-7c1a-4a8b-9b8f-3c7a1e6f2d10");
    }

    @Test
    void a_buffered_backlog_sent_as_an_array_is_all_stored_the_latest_is_the_newest_and_a_resend_is_stored_once()
            throws Exception {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < 5; i++) {
            array.append(i == 0 ? "" : ",").append("{\"id\":\"backlog\",\"lat\":56.3").append(i)
                    .append(",\"lon\":-2.79,\"timestamp\":").append(1764590400 + i * 60).append(",\"batt\":")
                    .append(90 - i).append('}');
        }
        String body = array.append(']').toString();
        assertThat(send("POST", balancer + "/osmand", "application/json", body).statusCode()).isEqualTo(200);
        assertThat(send("POST", balancer + "/osmand", "application/json", body).statusCode()).as("resent whole")
                .isEqualTo(200);
        assertThat(send("GET", balancer + "/osmand?id=backlog&lat=56.32&lon=-2.79&timestamp=" + (1764590400 + 120),
                null, null).statusCode()).as("one point again, alone").isEqualTo(200);

        JsonNode latest = latest("backlog");
        assertThat(latest.get("device_time").asLong()).isEqualTo((1764590400L + 240) * 1000);
        assertThat(latest.get("data").get("batt").asInt()).isEqualTo(86);
        assertThat(history("backlog")).as("each point once").hasSize(5);
    }

    @Test
    void malformed_messages_get_a_clear_400_and_nothing_is_stored() throws Exception {
        assertThat(send("GET", balancer + "/osmand?id=careful&lat=1&lon=1&timestamp=1764590400", null, null)
                .statusCode()).isEqualTo(200);
        List<JsonNode> before = history("careful");

        HttpResponse<String> noId = send("GET", balancer + "/osmand?lat=1&lon=2", null, null);
        assertThat(noId.statusCode()).isEqualTo(400);
        assertThat(noId.body()).as("as Traccar answers it").isEmpty();
        String[][] cases = {
                {"/osmand?id=careful&lat=91&lon=1", "invalid location"},
                {"/osmand?id=careful&lat=abc&lon=1", "invalid lat"},
                {"/osmand?id=careful&lat=1", "invalid location"},
                {"/osmand?id=careful&location=1", "invalid location"},
                {"/osmand?id=careful&lat=1&lon=1&timestamp=yesterday", "invalid timestamp"},
                {"/osmand?id=careful&lat=1&lon=1&speed=fast", "invalid speed"},
                {"/osmand?id=care%20ful&lat=1&lon=1", "invalid producer id"},
                {"/osmand?id=careful&lat=NaN&lon=1", "invalid lat"}};
        for (String[] c : cases) {
            HttpResponse<String> r = send("GET", balancer + c[0], null, null);
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).get("error").asText()).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(send("POST", balancer + "/osmand", "application/json", "{\"id\":").statusCode()).isEqualTo(400);
        assertThat(send("POST", balancer + "/osmand", "application/json", "[]").statusCode()).isEqualTo(400);
        assertThat(send("POST", balancer + "/osmand", "application/json", "[{\"id\":\"careful\",\"lat\":1,\"lon\":1,"
                + "\"timestamp\":1764590500},{\"id\":\"careful\",\"lat\":100,\"lon\":1}]").statusCode())
                .as("one bad item refuses the array").isEqualTo(400);
        assertThat(history("careful")).isEqualTo(before);
    }

    @Test
    void with_credentials_the_token_parameter_is_the_producers_token_and_nothing_else_gets_in(@TempDir Path own)
            throws Exception {
        try (SecuredCluster secured = SecuredCluster.start(own, 1)) {
            String b = secured.balancer().toString();
            String query = "/osmand?id=locked&lat=56.34&lon=-2.79&timestamp=1764590400";
            assertThat(send("GET", b + query, null, null).statusCode()).as("no token").isEqualTo(401);
            assertThat(send("GET", b + query + "&token=" + secured.token("other"), null, null).statusCode())
                    .as("another producer's token").isEqualTo(401);
            assertThat(send("GET", b + query + "&token=" + secured.token("locked"), null, null).statusCode())
                    .isEqualTo(200);
            HttpResponse<String> read = Http.send("GET", b + "/api/v1/producers/locked/history", null,
                    secured.clusterSecret());
            if (read.statusCode() == 307) {
                read = Http.send("GET", read.headers().firstValue("location").orElseThrow(), null,
                        secured.clusterSecret());
            }
            assertThat(JSON.readTree(read.body()).get("heartbeats")).hasSize(1);
        }
    }

    private static HttpResponse<String> send(String method, String uri, String contentType, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode latest(String producer) throws Exception {
        return PhoneFixtures.latest(balancer, producer);
    }

    private static List<JsonNode> history(String producer) throws Exception {
        return PhoneFixtures.history(balancer, producer);
    }
}
