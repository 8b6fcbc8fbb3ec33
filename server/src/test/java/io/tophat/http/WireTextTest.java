package io.tophat.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The wire checks against independent judges: the JDK's strict UTF-8 decoder and Jackson's string decoding. */
class WireTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Provide
    Arbitrary<byte[]> mostlyUtf8() {
        Arbitrary<byte[]> valid = Arbitraries.strings().ofMaxLength(30).map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(12);
        Arbitrary<byte[]> edges = Arbitraries.of(new byte[]{(byte) 0xC0, (byte) 0xAF}, new byte[]{(byte) 0xE0, (byte) 0x9F, (byte) 0xBF},
                new byte[]{(byte) 0xED, (byte) 0x9F, (byte) 0xBF}, new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[]{(byte) 0xF0, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[]{(byte) 0xF0, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF},
                new byte[]{(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}, new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                new byte[]{(byte) 0xEF, (byte) 0xBF, (byte) 0xBF}, new byte[]{(byte) 0xC2, (byte) 0x80});
        return Arbitraries.oneOf(valid, random, edges).list().ofMaxSize(4).map(parts -> {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            parts.forEach(out::writeBytes);
            return out.toByteArray();
        });
    }

    @Property(tries = 5000)
    void the_utf8_check_agrees_with_the_jdk_strict_decoder(@ForAll("mostlyUtf8") byte[] bytes) {
        boolean jdkAccepts;
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            jdkAccepts = true;
        } catch (CharacterCodingException e) {
            jdkAccepts = false;
        }
        assertThat(WireText.utf8Problem(bytes, 0, bytes.length) == null).isEqualTo(jdkAccepts);
    }

    @Provide
    Arbitrary<String> escapedStrings() {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 0xffff).map(u -> String.format("\\u%04x", u)),
                Arbitraries.integers().between(0xd800, 0xdfff).map(u -> String.format("\\u%04X", u)),
                Arbitraries.of("\\\\", "\\\"", "\\n", "a", "é", "😀", "\\\\u", "\\\\ud800"));
        return piece.list().ofMaxSize(6).map(parts -> "\"" + String.join("", parts) + "\"");
    }

    @Property(tries = 5000)
    void the_surrogate_check_refuses_exactly_the_strings_that_decode_to_a_lone_surrogate(
            @ForAll("escapedStrings") String json) throws Exception {
        String decoded = JSON.readTree(json).textValue();
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        assertThat(WireText.loneSurrogateEscape(bytes, 0, bytes.length) != null).as(json).isEqualTo(hasLoneSurrogate(decoded));
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    @Example
    void request_targets_with_bad_escapes_or_non_ascii_are_refused_and_good_ones_pass() {
        for (String bad : new String[]{"/get_data/%zz", "/a%", "/a%4", "/a?b=%C0%AF", "/%ED%A0%80", "/é", "/a b"}) {
            assertThat(RequestTarget.problem(bad)).as(bad).isNotNull();
        }
        for (String good : new String[]{"/get_data/3000", "/x%20y?host=a%2Fb&z=%E2%82%AC", "/", "*"}) {
            assertThat(RequestTarget.problem(good)).as(good).isNull();
        }
    }
}
