package io.tophat.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.Supplier;

/**
 * Generated JSON values with the text a producer might send for them: every kind of value (strings of any Unicode
 * text, numbers of any size, precision and notation, arrays, objects, nesting), written with random whitespace and
 * random choices between literal characters and escapes. The expected value is built beside the text, without a
 * JSON parser, so that a parser bug shared by the server and the test cannot hide.
 */
public final class JsonGen {
    public static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    /** A JSON value as text, and the value it stands for. */
    public record GeneratedJson(String text, JsonNode value) {
        @Override
        public String toString() {
            return text;
        }
    }

    private JsonGen() {
    }

    /** Any JSON value, nesting at most {@code depth} arrays and objects. */
    public static Arbitrary<GeneratedJson> values(int depth) {
        if (depth == 0) {
            return scalars();
        }
        Supplier<Arbitrary<GeneratedJson>> inner = () -> values(depth - 1);
        return Arbitraries.frequencyOf(
                Tuple.of(6, scalars()),
                Tuple.of(2, Arbitraries.lazy(() -> arrays(inner.get()))),
                Tuple.of(2, Arbitraries.lazy(() -> objects(inner.get()))));
    }

    /** Strings, numbers, true, false and null. */
    public static Arbitrary<GeneratedJson> scalars() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, strings(40)),
                Tuple.of(4, numbers()),
                Tuple.of(1, Arbitraries.of(new GeneratedJson("true", NODES.booleanNode(true)),
                        new GeneratedJson("false", NODES.booleanNode(false)),
                        new GeneratedJson("null", NODES.nullNode()))));
    }

    /** JSON strings of up to {@code maxCodePoints} characters of any Unicode text, escaped at random. */
    public static Arbitrary<GeneratedJson> strings(int maxCodePoints) {
        return Combinators.combine(text(maxCodePoints), Arbitraries.randoms())
                .as((s, random) -> new GeneratedJson(JsonText.quote(s, random), NODES.textNode(s)));
    }

    /** Unicode text without lone surrogates: mostly ASCII, with controls, quotes, backslashes, BMP and astral characters. */
    public static Arbitrary<String> text(int maxCodePoints) {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.integers().between(0x20, 0x7e)),
                Tuple.of(2, Arbitraries.of((int) '"', (int) '\\', (int) '/', 0x7f)),
                Tuple.of(2, Arbitraries.integers().between(0, 0x1f)),
                Tuple.of(3, Arbitraries.integers().between(0x80, 0xd7ff)),
                Tuple.of(1, Arbitraries.integers().between(0xe000, 0xffff)),
                Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10ffff)));
        return codePoint.list().ofMaxSize(maxCodePoints).map(points -> {
            StringBuilder s = new StringBuilder();
            points.forEach(s::appendCodePoint);
            return s.toString();
        });
    }

    /** Numbers as JSON writes them: integers of any length, fractions, exponents, negative zero. */
    public static Arbitrary<GeneratedJson> numbers() {
        Arbitrary<String> digits = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(6)),
                Tuple.of(3, Arbitraries.strings().numeric().ofMinLength(15).ofMaxLength(25)),
                Tuple.of(1, Arbitraries.strings().numeric().ofMinLength(100).ofMaxLength(400)));
        Arbitrary<String> integer = digits.map(d -> d.replaceFirst("^0+(?=.)", ""));
        Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(30)
                .map(f -> "." + f).injectNull(0.5).map(f -> f == null ? "" : f);
        Arbitrary<String> exponent = Combinators.combine(Arbitraries.of("e", "E", "e+", "E-", "e-"),
                        Arbitraries.integers().between(0, 400))
                .as((e, n) -> e + n).injectNull(0.6).map(e -> e == null ? "" : e);
        return Combinators.combine(Arbitraries.of("", "-"), integer, fraction, exponent)
                .as((sign, i, f, e) -> {
                    String text = sign + i + f + e;
                    return new GeneratedJson(text, NODES.numberNode(new BigDecimal(text)));
                });
    }

    private static Arbitrary<GeneratedJson> arrays(Arbitrary<GeneratedJson> items) {
        return Combinators.combine(items.list().ofMaxSize(5), Arbitraries.randoms()).as((list, random) -> {
            ArrayNode value = NODES.arrayNode();
            list.forEach(item -> value.add(item.value()));
            return new GeneratedJson(JsonText.array(list.stream().map(GeneratedJson::text).toList(), random), value);
        });
    }

    private static Arbitrary<GeneratedJson> objects(Arbitrary<GeneratedJson> members) {
        return Combinators.combine(text(12).list().uniqueElements().ofMaxSize(5), members.list().ofSize(5),
                Arbitraries.randoms()).as((names, values, random) -> {
                    ObjectNode value = NODES.objectNode();
                    List<String> texts = new java.util.ArrayList<>();
                    for (int i = 0; i < names.size(); i++) {
                        value.set(names.get(i), values.get(i).value());
                        texts.add(JsonText.quote(names.get(i), random) + JsonText.space(random) + ":"
                                + JsonText.space(random) + values.get(i).text());
                    }
                    return new GeneratedJson(JsonText.object(texts, random), value);
                });
    }
}
