package io.tophat.worker;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.testing.HeartbeatGen;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The latest record written straight from its packed form is, byte for byte, what Jackson writes from the decoded
 * heartbeat, for heartbeats parsed from generated bodies by the ingest parser; what needs escaping is left to
 * Jackson.
 */
class CompactRecordJsonTest {
    private final HeartbeatParser parser = new HeartbeatParser();

    @Property(tries = 400)
    void the_packed_record_writes_the_json_jackson_writes(@ForAll("heartbeats") HeartbeatGen.GeneratedHeartbeat sent,
                                                           @ForAll("ids") String name, @ForAll("ips") String ip) {
        // a numeric id is sent as a JSON number
        String id = sent.numericId() ? Integer.toString(Math.abs(name.hashCode() % 1_000_000)) : name;
        Heartbeat hb = parser.parse(sent.body(id), ip, 1_764_000_000_000L);
        byte[] packed = CompactRecord.encode(hb);
        byte[] direct = CompactRecord.json(id, packed);
        boolean needsEscaping = hb.location().label() != null
                || ip.chars().anyMatch(c -> c == '"' || c == '\\' || c < 0x20);
        if (needsEscaping) {
            assertThat(direct).isNull();
        } else {
            assertThat(new String(direct, StandardCharsets.UTF_8))
                    .isEqualTo(new String(HeartbeatJson.encode(hb), StandardCharsets.UTF_8));
        }
    }

    @Provide
    Arbitrary<HeartbeatGen.GeneratedHeartbeat> heartbeats() {
        return HeartbeatGen.heartbeats();
    }

    @Provide
    Arbitrary<String> ids() {
        return Arbitraries.strings().withChars("abcXYZ0189._:-").ofMinLength(1).ofMaxLength(40);
    }

    @Provide
    Arbitrary<String> ips() {
        return Arbitraries.oneOf(Arbitraries.of("127.0.0.1", "10.0.0.7", "::1", "2001:db8::7"),
                Arbitraries.strings().ofMaxLength(20));
    }
}
