package io.tophat.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.protocol.WorkerRegistration;
import io.tophat.testing.JsonGen;
import io.tophat.testing.JsonGen.GeneratedJson;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Reading request bodies within the bounds, and the words every refusal is said in. */
class JsonLimitsTest {
    private static final List<String> FOREIGN = List.of("com.fasterxml", "jackson", "Exception", "Unexpected",
            "at [Source", "was expecting", "Unrecognized", "java.", "CTRL-CHAR", "code ", "`");

    @Provide
    Arbitrary<byte[]> damaged() {
        Arbitrary<String> valid = JsonGen.values(4).map(GeneratedJson::text);
        return net.jqwik.api.Combinators.combine(valid, Arbitraries.integers().between(0, 4000),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(12), Arbitraries.integers().between(0, 3))
                .as((text, at, noise, how) -> {
                    byte[] body = text.getBytes(StandardCharsets.UTF_8);
                    int cut = Math.min(at, body.length);
                    return switch (how) {
                        case 0 -> java.util.Arrays.copyOf(body, cut);
                        case 1 -> splice(body, cut, noise);
                        case 2 -> splice(body, cut, "\"k\":1,\"k\":2".getBytes(StandardCharsets.US_ASCII));
                        default -> noise;
                    };
                });
    }

    @Property(tries = 1500)
    void whatever_the_body_it_is_read_or_refused_in_our_own_words(@ForAll("damaged") byte[] body) {
        for (Class<?> type : List.of(JsonNode.class, WorkerRegistration.class)) {
            try {
                JsonLimits.read(body, type, "holds");
            } catch (JsonLimits.Refused e) {
                assertThat(e.detail()).as(new String(body, StandardCharsets.ISO_8859_1)).isNotBlank().hasSizeLessThan(220);
                for (String word : FOREIGN) {
                    assertThat(e.detail()).as(new String(body, StandardCharsets.ISO_8859_1)).doesNotContain(word);
                }
            }
        }
    }

    @Property(tries = 300)
    void a_valid_value_within_the_bounds_is_read_as_jackson_alone_reads_it(@ForAll("values") GeneratedJson json)
            throws Exception {
        byte[] body = json.text().getBytes(StandardCharsets.UTF_8);
        assertThat(JsonLimits.read(body, JsonNode.class, null)).isEqualTo(new ObjectMapper().readTree(body));
    }

    @Provide
    Arbitrary<GeneratedJson> values() {
        return JsonGen.values(3);
    }

    @Example
    void a_syntax_error_is_located_and_said_in_words_of_our_own() {
        assertThat(refusal("{\"a\":\n  [1, 2,", JsonNode.class)).isEqualTo("at line 2, column 9: the JSON ends before it is complete");
        assertThat(refusal("{\"a\":tru}", JsonNode.class)).endsWith("a word that is not a JSON value (a string, a number, true, false or null)");
        assertThat(refusal("{\"a\":1]", JsonNode.class)).endsWith("a closing bracket or brace that does not match");
        assertThat(refusal("{\"a\":\"\\q\"}", JsonNode.class)).endsWith("an escape that JSON does not have");
        assertThat(refusal("{\"a\":01}", JsonNode.class)).endsWith("a number that JSON does not allow");
        assertThat(refusal("{\"a\":1} {}", JsonNode.class)).endsWith("there is more after the JSON value");
        assertThat(refusal("{\"a\":1,\"a\":2}", JsonNode.class)).isEqualTo("at line 1, column 11: the member name 'a' comes twice in one object");
        assertThat(refusal("{\"a\":\"x\ty\"}", JsonNode.class)).endsWith("a control character inside a string must be escaped");
    }

    @Example
    void valid_json_of_the_wrong_shape_names_the_field_and_what_it_must_be() {
        assertThat(refusal("{\"port\":\"six\"}", WorkerRegistration.class)).endsWith("port must be a whole number");
        assertThat(refusal("{\"holds\":[1]}", WorkerRegistration.class)).endsWith("holds must be an object");
        assertThat(refusal("{\"holds\":{\"a\":\"x\"}}", WorkerRegistration.class)).endsWith("holds.a must be a whole number");
        assertThat(refusal("[]", WorkerRegistration.class)).endsWith("the body must be an object");
        assertThat(refusal("{\"port\":99999999999}", WorkerRegistration.class)).endsWith("a number is out of range for its field");
        String longName = "n".repeat(300);
        assertThat(refusal("{\"holds\":{\"" + longName + "\":\"x\"}}", WorkerRegistration.class))
                .endsWith("holds." + "n".repeat(WireText.MAX_ECHO) + "... must be a whole number");
    }

    @Example
    void the_bounds_are_refused_as_such_naming_them() {
        JsonLimits.Refused deep = refused("[".repeat(JsonLimits.MAX_DEPTH + 1) + "]".repeat(JsonLimits.MAX_DEPTH + 1),
                JsonNode.class, null);
        assertThat(deep.malformed()).isFalse();
        assertThat(deep.detail()).isEqualTo("the JSON nests deeper than 64 levels of arrays and objects");
        assertThat(JsonLimits.read(("[".repeat(JsonLimits.MAX_DEPTH) + "]".repeat(JsonLimits.MAX_DEPTH))
                .getBytes(StandardCharsets.US_ASCII), JsonNode.class, null)).isNotNull();
        assertThat(refused("[" + "1".repeat(1001) + "]", JsonNode.class, null).detail())
                .isEqualTo("a number is longer than 1000 characters");
        JsonLimits.Refused many = refused("[1,{\"x\":" + members(JsonLimits.MAX_MEMBERS + 1) + "}]", JsonNode.class, null);
        assertThat(many.malformed()).isFalse();
        assertThat(many.detail()).isEqualTo("an object has more than 10000 members");
        assertThat(JsonLimits.read(members(JsonLimits.MAX_MEMBERS).getBytes(StandardCharsets.US_ASCII), JsonNode.class,
                null).size()).isEqualTo(JsonLimits.MAX_MEMBERS);
    }

    @Example
    void only_the_named_top_level_member_may_have_more_members() {
        String holds = "{\"port\":9,\"holds\":" + members(JsonLimits.MAX_MEMBERS * 2) + "}";
        assertThat(JsonLimits.read(holds.getBytes(StandardCharsets.US_ASCII), WorkerRegistration.class, "holds").holds())
                .hasSize(JsonLimits.MAX_MEMBERS * 2);
        assertThat(refused(holds, WorkerRegistration.class, null).detail()).isEqualTo("an object has more than 10000 members");
        String nested = "{\"port\":9,\"x\":{\"holds\":" + members(JsonLimits.MAX_MEMBERS + 1) + "}}";
        assertThat(refused(nested, JsonNode.class, "holds").detail()).isEqualTo("an object has more than 10000 members");
        String top = "{\"port\":9," + members(JsonLimits.MAX_MEMBERS + 1).substring(1);
        assertThat(refused(top, WorkerRegistration.class, "holds").detail()).isEqualTo("an object has more than 10000 members");
    }

    @Example
    void echo_keeps_64_characters_and_hides_control_characters() {
        assertThat(WireText.echo("a\u0000b\nc")).isEqualTo("a?b?c");
        assertThat(WireText.echo("x".repeat(100))).isEqualTo("x".repeat(64) + "...");
        assertThat(WireText.echo("x".repeat(63) + "\ud83d\ude00")).isEqualTo("x".repeat(63) + "...");
        assertThat(WireText.echo(null)).isEmpty();
    }

    private static String refusal(String body, Class<?> type) {
        JsonLimits.Refused e = refused(body, type, null);
        assertThat(e.malformed()).as(e.detail()).isTrue();
        return e.detail();
    }

    private static JsonLimits.Refused refused(String body, Class<?> type, String exempt) {
        JsonLimits.Refused e = catchThrowableOfType(JsonLimits.Refused.class,
                () -> JsonLimits.read(body.getBytes(StandardCharsets.UTF_8), type, exempt));
        assertThat(e).as(body.length() > 200 ? body.substring(0, 200) : body).isNotNull();
        for (String word : FOREIGN) {
            assertThat(e.detail()).doesNotContain(word);
        }
        return e;
    }

    private static String members(int n) {
        StringBuilder out = new StringBuilder(n * 9).append('{');
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",").append("\"m").append(Integer.toString(i, 36)).append("\":0");
        }
        return out.append('}').toString();
    }

    private static byte[] splice(byte[] into, int at, byte[] insert) {
        byte[] out = new byte[into.length + insert.length];
        System.arraycopy(into, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(into, at, out, at + insert.length, into.length - at);
        return out;
    }

    @Example
    void a_body_that_is_refused_is_never_thrown_as_anything_else() {
        assertThatThrownBy(() -> JsonLimits.read(new byte[]{(byte) 0xff, (byte) 0xfe}, JsonNode.class, null))
                .isInstanceOf(JsonLimits.Refused.class);
    }
}
