package io.tophat.phones;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tophat.testing.JsonGen;
import io.tophat.testing.JsonGen.GeneratedJson;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.within;

/**
 * The apps' messages over generated values: what comes out as a heartbeat is what went in, in TopHat's units, and
 * text that is not a valid message is refused with a {@link PhoneMessageException}, never another failure.
 */
class PhoneMessagesPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> READ = Set.of("id", "deviceid", "lat", "lon", "location", "timestamp", "speed",
            "bearing", "heading", "altitude", "accuracy", "token");

    @Property(tries = 1000)
    void an_osmand_position_keeps_its_coordinates_and_units_whatever_timestamp_form_it_has(
            @ForAll @DoubleRange(min = -90, max = 90) double lat, @ForAll @DoubleRange(min = -180, max = 180) double lon,
            @ForAll @DoubleRange(min = 0, max = 500) double knots, @ForAll @LongRange(min = 0, max = 4_102_444_800_000L) long ms,
            @ForAll("timestampForms") int form) {
        String timestamp = switch (form) {
            case 0 -> Long.toString(ms / 1000);
            case 1 -> Long.toString(Math.max(ms, 1L << 31));
            case 2 -> Instant.ofEpochMilli(ms).toString();
            default -> DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC)
                    .format(Instant.ofEpochMilli(ms));
        };
        long expected = switch (form) {
            case 0 -> (ms / 1000) < (1L << 31) ? (ms / 1000) * 1000 : ms / 1000;
            case 1 -> Math.max(ms, 1L << 31);
            default -> ms;
        };
        Map<String, String> params = new LinkedHashMap<>();
        params.put("id", "p");
        params.put("lat", Double.toString(lat));
        params.put("lon", Double.toString(lon));
        params.put("speed", Double.toString(knots));
        params.put("timestamp", timestamp);
        PhoneFix fix = OsmAnd.fromParameters(params, null).fixes().get(0);
        assertThat(fix.lat()).isEqualTo(lat);
        assertThat(fix.lon()).isEqualTo(lon);
        assertThat(fix.speed()).isCloseTo(knots * 1852 / 3600, within(1e-9));
        assertThat(fix.deviceTime()).as(timestamp).isEqualTo(expected);
        ObjectNode heartbeat = fix.heartbeat();
        assertThat(heartbeat.get("seq").asLong()).isEqualTo(expected);
        assertThat(heartbeat.get("location").get("lat").asDouble()).isEqualTo(lat);
    }

    @Provide
    Arbitrary<Integer> timestampForms() {
        return Arbitraries.integers().between(0, 3);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABC_0123456789").ofMinLength(1).ofMaxLength(12)
                .filter(n -> !READ.contains(n));
    }

    @Property(tries = 1000)
    void every_other_osmand_parameter_lands_in_data_as_traccar_types_it(@ForAll("names") String name,
                                                                      @ForAll("parameterValues") String value)
            throws Exception {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("id", "p");
        params.put("lat", "1");
        params.put("lon", "2");
        params.put(name, value);
        JsonNode data = OsmAnd.fromParameters(params, null).fixes().get(0).data();
        JsonNode kept = data.get(name);
        assertThat(kept).as("%s=%s", name, value).isNotNull();
        if (value.equals("true") || value.equals("false")) {
            assertThat(kept.isBoolean()).isTrue();
            assertThat(kept.asText()).isEqualTo(value);
        } else if (value.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?") && value.length() <= 100) {
            String written = data.toString();
            assertThat(written).as("the number digit for digit").contains(":" + value);
            assertThat(JSON.readTree(written).get(name).isNumber()).isTrue();
        } else {
            assertThat(kept.isTextual()).isTrue();
            assertThat(kept.asText()).isEqualTo(value);
        }
    }

    @Provide
    Arbitrary<String> parameterValues() {
        return Arbitraries.oneOf(JsonGen.text(20), JsonGen.numbers().map(GeneratedJson::text),
                Arbitraries.of("true", "false", "007", "1e5", "-0", "NaN", "0x10", "1.", ".5", "+1"));
    }

    @Property(tries = 1000)
    void an_owntracks_location_keeps_every_member_it_does_not_read_exactly_as_sent(
            @ForAll("names") String name, @ForAll("jsonValues") GeneratedJson value,
            @ForAll @DoubleRange(min = -90, max = 90) double lat, @ForAll @LongRange(min = 0, max = 4_102_444_800L) long tst,
            @ForAll @DoubleRange(min = 0, max = 400) double kmh) throws Exception {
        Assume.that(!Set.of("_type", "lat", "lon", "tst", "acc", "alt", "vel", "cog").contains(name));
        String message = "{\"_type\":\"location\",\"lat\":" + lat + ",\"lon\":-0.1,\"tst\":" + tst + ",\"vel\":" + kmh
                + ",\"" + name + "\":" + value.text() + "}";
        PhoneReport report = OwnTracks.read("u:d", JSON.readTree(message), null);
        PhoneFix fix = report.fixes().get(0);
        assertThat(fix.lat()).isEqualTo(lat);
        assertThat(fix.deviceTime()).isEqualTo(tst * 1000);
        assertThat(fix.speed()).isCloseTo(kmh / 3.6, within(1e-9));
        assertThat(fix.data().get(name)).as(value.text()).isEqualTo(JSON.readTree(value.text()));
        assertThat(fix.data().size()).isEqualTo(1);
    }

    @Provide
    Arbitrary<GeneratedJson> jsonValues() {
        return JsonGen.values(2);
    }

    @Property(tries = 2000)
    void any_text_in_any_field_is_a_position_or_a_phone_message_error(@ForAll("fields") String field,
                                                                     @ForAll("anyText") String text) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("id", "p");
        params.put("lat", "1");
        params.put("lon", "2");
        params.put(field, text);
        assertThatCode(() -> {
            try {
                PhoneFix fix = OsmAnd.fromParameters(params, null).fixes().get(0);
                assertThat(fix.lat()).isBetween(-90.0, 90.0);
                assertThat(fix.lon()).isBetween(-180.0, 180.0);
            } catch (PhoneMessageException | OsmAnd.MissingId expected) {
                // a clear refusal
            }
        }).doesNotThrowAnyException();
    }

    @Provide
    Arbitrary<String> fields() {
        return Arbitraries.of("id", "lat", "lon", "location", "timestamp", "speed", "bearing", "altitude", "accuracy");
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(JsonGen.text(30), JsonGen.numbers().map(GeneratedJson::text),
                Arbitraries.of("", " ", "1,2", "91", "-181", "1e999", "2025-13-01T00:00:00Z", "99999999999999999999"));
    }
}
