package io.tophat.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tophat.testing.JsonGen.GeneratedJson;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Generated heartbeat bodies as producers send them: {@code data} any JSON value, {@code location} a string label
 * or a position with random known fields (numbers in several notations), extra members and known fields sent as
 * null, the id as a JSON number or a string, optional {@code seq} and {@code device_time}, members in any order
 * with unknown ones beside them. The id is filled in by the test, so each heartbeat can have its own.
 */
public final class HeartbeatGen {
    private static final Set<String> KNOWN = Set.of("lat", "lon", "alt", "accuracy", "speed", "bearing");

    /** What a consumer should read back for a location: the label, or the known numbers and the other members. */
    public record ExpectedLocation(String label, Map<String, Double> known, ObjectNode others) {
        /** What should come back for a location sent as {@code sent}. */
        public static ExpectedLocation of(JsonNode sent) {
            if (sent.isTextual()) {
                return new ExpectedLocation(sent.textValue(), null, null);
            }
            Map<String, Double> known = new LinkedHashMap<>();
            ObjectNode others = JsonGen.NODES.objectNode();
            sent.fields().forEachRemaining(m -> {
                if (KNOWN.contains(m.getKey()) && m.getValue().isNumber()) {
                    known.put(m.getKey(), m.getValue().doubleValue());
                } else {
                    others.set(m.getKey(), m.getValue());
                }
            });
            return new ExpectedLocation(null, known, others);
        }
    }

    /**
     * A generated heartbeat: the body around its id, and what should come back.
     *
     * @param numericId whether the id is sent as a JSON number (then the test gives digits)
     */
    public record GeneratedHeartbeat(String before, String after, boolean numericId, ExpectedLocation location,
                                     JsonNode data, Long seq) {
        public byte[] body(String id) {
            return (before + (numericId ? id : "\"" + id + "\"") + after).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return before + "ID" + after;
        }
    }

    private HeartbeatGen() {
    }

    public static Arbitrary<GeneratedHeartbeat> heartbeats() {
        return Combinators.combine(locations(), JsonGen.values(3), Arbitraries.longs().between(0, Long.MAX_VALUE).injectNull(0.5),
                Arbitraries.longs().between(0, 1_700_000_000_000L).injectNull(0.5), Arbitraries.of(true, false),
                JsonGen.values(1).list().ofMaxSize(2), Arbitraries.randoms())
                .as((location, data, seq, deviceTime, numericId, unknown, random) -> {
                    List<String> members = new ArrayList<>();
                    members.add("\u0000ID");
                    members.add(member("location", location.get1().text(), random));
                    members.add(member("data", data.text(), random));
                    if (seq != null) {
                        members.add(member("seq", Long.toString(seq), random));
                    }
                    if (deviceTime != null) {
                        members.add(member("device_time", Long.toString(deviceTime), random));
                    }
                    for (int i = 0; i < unknown.size(); i++) {
                        members.add(member("extra_" + i, unknown.get(i).text(), random));
                    }
                    Collections.shuffle(members, random);
                    String text = JsonText.object(members, random);
                    String idMember = member("id", "\u0001", random);
                    int at = text.indexOf("\u0000ID");
                    String whole = text.substring(0, at) + idMember + text.substring(at + 3);
                    int hole = whole.indexOf('\u0001');
                    return new GeneratedHeartbeat(whole.substring(0, hole), whole.substring(hole + 1), numericId,
                            location.get2(), data.value(), seq);
                });
    }

    private static String member(String name, String valueText, Random random) {
        return JsonText.quote(name, random) + JsonText.space(random) + ":" + JsonText.space(random) + valueText;
    }

    /** Locations with their text: labels of up to 256 UTF-16 units, or positions. */
    public static Arbitrary<Tuple.Tuple2<GeneratedJson, ExpectedLocation>> locations() {
        Arbitrary<Tuple.Tuple2<GeneratedJson, ExpectedLocation>> labels = JsonGen.strings(120)
                .filter(s -> s.value().textValue().length() <= 256)
                .map(s -> Tuple.of(s, new ExpectedLocation(s.value().textValue(), null, null)));
        return Arbitraries.frequencyOf(Tuple.of(1, labels), Tuple.of(2, positions()));
    }

    private static Arbitrary<Tuple.Tuple2<GeneratedJson, ExpectedLocation>> positions() {
        Arbitrary<Map<String, String>> known = Combinators.combine(
                number(Arbitraries.doubles().between(-90, 90)), number(Arbitraries.doubles().between(-180, 180)),
                number(Arbitraries.doubles().between(-1e4, 1e5)).injectNull(0.5),
                number(Arbitraries.doubles().between(0, 1e4)).injectNull(0.5),
                number(Arbitraries.doubles().between(0, 500)).injectNull(0.5),
                number(Arbitraries.doubles().between(0, 359.4)).injectNull(0.5)).as((lat, lon, alt, acc, speed, bearing) -> {
                    Map<String, String> m = new LinkedHashMap<>();
                    m.put("lat", lat);
                    m.put("lon", lon);
                    m.put("alt", alt);
                    m.put("accuracy", acc);
                    m.put("speed", speed);
                    m.put("bearing", bearing);
                    return m;
                });
        Arbitrary<List<Tuple.Tuple2<String, GeneratedJson>>> others = Combinators.combine(
                        JsonGen.text(10).filter(n -> !KNOWN.contains(n)), JsonGen.values(2)).as(Tuple::of)
                .list().ofMaxSize(3).uniqueElements(Tuple.Tuple2::get1);
        return Combinators.combine(known, others, Arbitraries.of(true, false), Arbitraries.randoms())
                .as((numbers, extra, nullsKept, random) -> {
                    List<String> members = new ArrayList<>();
                    Map<String, Double> expected = new LinkedHashMap<>();
                    ObjectNode expectedOthers = JsonGen.NODES.objectNode();
                    numbers.forEach((name, text) -> {
                        if (text != null) {
                            members.add(member(name, text, random));
                            expected.put(name, Double.parseDouble(text));
                        } else if (nullsKept && random.nextBoolean()) {
                            members.add(member(name, "null", random));
                            expectedOthers.putNull(name);
                        }
                    });
                    for (Tuple.Tuple2<String, GeneratedJson> member : extra) {
                        members.add(member(member.get1(), member.get2().text(), random));
                        expectedOthers.set(member.get1(), member.get2().value());
                    }
                    Collections.shuffle(members, random);
                    return Tuple.of(new GeneratedJson(JsonText.object(members, random), null),
                            new ExpectedLocation(null, expected, expectedOthers));
                });
    }

    /** A double written as JSON may write it: Java's shortest form, a whole number, or with an exponent. */
    private static Arbitrary<String> number(Arbitrary<Double> values) {
        return Combinators.combine(values, Arbitraries.integers().between(0, 3)).as((v, style) -> switch (style) {
            case 0 -> Double.toString(v);
            case 1 -> Long.toString(Math.round(v));
            case 2 -> String.format(java.util.Locale.ROOT, "%.7f", v);
            default -> String.format(java.util.Locale.ROOT, "%.5E", v).replace("E+0", "E").replace("E-0", "E-");
        });
    }
}
