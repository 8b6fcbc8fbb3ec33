package io.tophat.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tophat.testing.HeartbeatGen.ExpectedLocation;
import io.tophat.testing.HeartbeatGen.GeneratedHeartbeat;

import java.io.IOException;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Compares what a consumer read with what the producer sent, as parsed JSON: numbers by value at full precision
 * (as decimals, never through a double), strings exactly, objects regardless of member order. The known location
 * fields are compared as the doubles they are stored as.
 */
public final class RoundTrip {
    private static final ObjectMapper EXACT = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonGen.NODES)
            .build();
    private static final Comparator<JsonNode> BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private RoundTrip() {
    }

    public static JsonNode parse(String json) {
        try {
            return EXACT.readTree(json);
        } catch (IOException e) {
            return fail("not JSON: " + json, e);
        }
    }

    /** Fails, naming {@code where}, unless {@code served} is the same JSON value as {@code sent}. */
    public static void assertSameValue(String where, JsonNode sent, JsonNode served) {
        if (!sent.equals(BY_VALUE, served)) {
            fail(where + ": sent " + sent + " but read " + served);
        }
    }

    public static void assertSameData(String where, GeneratedHeartbeat sent, String servedData) {
        assertSameValue(where, sent.data(), parse(servedData));
    }

    public static void assertSameLocation(String where, ExpectedLocation sent, JsonNode served) {
        if (sent.label() != null) {
            assertThat(served.isTextual()).as(where + ": location served as a string, not " + served).isTrue();
            assertThat(served.textValue()).as(where + ": the location label").isEqualTo(sent.label());
            return;
        }
        assertThat(served.isObject()).as(where + ": location served as an object, not " + served).isTrue();
        int members = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = served.fields(); it.hasNext(); members++) {
            Map.Entry<String, JsonNode> member = it.next();
            Double known = sent.known().get(member.getKey());
            if (known != null) {
                assertThat(member.getValue().isNumber()).as(where + ": location." + member.getKey()).isTrue();
                assertThat(member.getValue().doubleValue()).as(where + ": location." + member.getKey()).isEqualTo(known);
            } else if (!sent.others().has(member.getKey())) {
                fail(where + ": location member " + member.getKey() + " was never sent; served " + served);
            } else {
                assertSameValue(where + ": location." + member.getKey(), sent.others().get(member.getKey()), member.getValue());
            }
        }
        assertThat(members).as(where + ": members of " + served).isEqualTo(sent.known().size() + sent.others().size());
    }

    /** A stored record as served ({@code producer, location, data, seq, ...}) against what was sent. */
    public static void assertSameRecord(String where, String id, GeneratedHeartbeat sent, JsonNode record) {
        assertThat(record.path("producer").asText()).as(where + ": producer").isEqualTo(id);
        assertSameValue(where + ": data", sent.data(), record.get("data"));
        assertSameLocation(where, sent.location(), record.get("location"));
        if (sent.seq() != null) {
            assertThat(record.path("seq").asLong()).as(where + ": seq").isEqualTo(sent.seq());
        }
    }
}
