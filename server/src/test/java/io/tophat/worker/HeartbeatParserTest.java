package io.tophat.worker;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.testing.HeartbeatGen;
import io.tophat.testing.HeartbeatGen.GeneratedHeartbeat;
import io.tophat.testing.RoundTrip;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The heartbeat parser alone: what it keeps, and how it classifies what it refuses. */
class HeartbeatParserTest {
    private final HeartbeatParser parser = new HeartbeatParser();

    @Provide
    net.jqwik.api.Arbitrary<GeneratedHeartbeat> heartbeats() {
        return HeartbeatGen.heartbeats();
    }

    @Property(tries = 2000)
    void a_generated_heartbeat_parses_to_the_data_location_and_seq_that_were_sent(@ForAll("heartbeats") GeneratedHeartbeat sent) {
        String id = sent.numericId() ? "356938035643809" : "phone-1";
        Heartbeat hb = parser.parse(sent.body(id), "10.0.0.1", 1_700_000_000_000L);
        assertThat(hb.producer()).isEqualTo(id);
        assertThat(hb.ipAddress()).isEqualTo("10.0.0.1");
        assertThat(hb.receivedAt()).isEqualTo(1_700_000_000_000L);
        assertThat(hb.seq()).isEqualTo(sent.seq());
        RoundTrip.assertSameData("data", sent, hb.data());
        RoundTrip.assertSameRecord("record", id, sent,
                RoundTrip.parse(new String(HeartbeatJson.encode(hb), StandardCharsets.UTF_8)));
    }

    @Example
    void bodies_that_cannot_be_read_are_malformed_and_readable_wrong_ones_are_invalid() {
        assertRejected("", true);
        assertRejected("{\"id\":", true);
        assertRejected("{\"id\":\"a\",\"id\":\"b\",\"location\":\"x\",\"data\":1}", true);
        assertRejected("{\"id\":\"a\",\"location\":\"x\",\"data\":1} trailing", true);
        assertRejected("[1]", false);
        assertRejected("{\"id\":\"a b\",\"location\":\"x\",\"data\":1}", false);
        assertRejected("{\"id\":\"a\",\"location\":{\"lat\":91,\"lon\":0},\"data\":1}", false);
        assertRejected("{\"id\":\"a\",\"location\":\"x\",\"data\":\"\\udc00\"}", false);
        assertRejected("{\"id\":\"a\",\"location\":\"x\"}", false);
    }

    @Example
    void an_object_of_more_than_10000_members_anywhere_in_a_heartbeat_is_invalid_saying_so() {
        String limit = "an object has more than " + HeartbeatParser.MAX_MEMBERS + " members";
        String many = members(HeartbeatParser.MAX_MEMBERS + 1);
        for (String body : java.util.List.of("{\"id\":\"a\",\"location\":\"x\",\"data\":" + many + "}",
                "{\"id\":\"a\",\"location\":\"x\",\"data\":[1,{\"deep\":" + many + "}]}",
                "{\"id\":\"a\",\"location\":{\"lat\":1,\"lon\":2,\"extra\":" + many + "},\"data\":1}",
                "{\"id\":\"a\",\"location\":\"x\",\"data\":1,\"ignored\":" + many + "}")) {
            assertThatThrownBy(() -> parser.parse(body.getBytes(StandardCharsets.US_ASCII), "ip", 1))
                    .isInstanceOf(HeartbeatRejected.class)
                    .satisfies(e -> assertThat(((HeartbeatRejected) e).isMalformed()).isFalse())
                    .satisfies(e -> assertThat(((HeartbeatRejected) e).detail()).isEqualTo(limit));
        }
        byte[] batch = ("[{\"location\":\"x\",\"data\":" + many + "}]").getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> parser.parseBatch(batch, "a", "ip", 1, 1000)).isInstanceOf(HeartbeatRejected.class)
                .satisfies(e -> assertThat(((HeartbeatRejected) e).detail()).isEqualTo(limit));
        String atTheLimit = members(HeartbeatParser.MAX_MEMBERS);
        Heartbeat hb = parser.parse(("{\"id\":\"a\",\"location\":\"x\",\"data\":" + atTheLimit + "}")
                .getBytes(StandardCharsets.US_ASCII), "ip", 1);
        assertThat(hb.data()).isEqualTo(atTheLimit);
    }

    @Example
    void a_body_that_is_not_json_is_refused_in_our_own_words_located_by_line_and_column() {
        assertThatThrownBy(() -> parser.parse("{\"id\":\"a\",\n\"location\": x}".getBytes(StandardCharsets.US_ASCII),
                "ip", 1)).isInstanceOf(HeartbeatRejected.class)
                .satisfies(e -> assertThat(((HeartbeatRejected) e).detail())
                        .isEqualTo("at line 2, column 13: a word that is not a JSON value (a string, a number, true, false or null)"));
    }

    private static String members(int n) {
        StringBuilder out = new StringBuilder(n * 9).append('{');
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",").append("\"m").append(Integer.toString(i, 36)).append("\":0");
        }
        return out.append('}').toString();
    }

    @Example
    void invalid_utf8_is_malformed() {
        byte[] body = "{\"id\":\"a\",\"location\":\"x\",\"data\":\"..\"}".getBytes(StandardCharsets.US_ASCII);
        body[body.length - 4] = (byte) 0xC0;
        body[body.length - 3] = (byte) 0xAF;
        assertThatThrownBy(() -> parser.parse(body, "ip", 1)).isInstanceOf(HeartbeatRejected.class)
                .satisfies(e -> assertThat(((HeartbeatRejected) e).error()).isEqualTo("invalid UTF-8"));
    }

    private void assertRejected(String body, boolean malformed) {
        assertThatThrownBy(() -> parser.parse(body.getBytes(StandardCharsets.UTF_8), "ip", 1))
                .as(body).isInstanceOf(HeartbeatRejected.class)
                .satisfies(e -> assertThat(((HeartbeatRejected) e).isMalformed()).as(body).isEqualTo(malformed));
    }
}
