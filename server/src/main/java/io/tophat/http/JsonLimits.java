package io.tophat.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * The bounds every JSON request body is read under, and the words its refusals are answered in. Jackson's own
 * messages never reach a client: they name Java types, quote the body back and change between versions. A body
 * that is not JSON, or names a member twice in one object, is {@link Refused#malformed() malformed} (400, located
 * by line and column); one beyond a bound is refused as such (422), naming the bound:
 * <ul>
 *   <li>{@link #MAX_DEPTH} levels of nested arrays and objects (a heartbeat's {@code data} has its own 64, inside
 *       the heartbeat object);</li>
 *   <li>{@link #MAX_NUMBER_LENGTH} characters in a number;</li>
 *   <li>{@link #MAX_MEMBERS} members in any one object (Jackson has no such constraint, so {@link #counting}
 *       counts them as the parser reads). A worker's {@code holds}, which lists every producer it holds, is the
 *       one object exempt: the body limit (64 MiB) bounds it.</li>
 * </ul>
 */
public final class JsonLimits {
    public static final int MAX_DEPTH = 64;
    public static final int MAX_NUMBER_LENGTH = 1000;
    public static final int MAX_MEMBERS = 10_000;

    /**
     * For the balancer's request bodies read as records or trees; unknown fields are ignored, a member name twice
     * in one object is refused (as in a heartbeat: readers disagree on which of the two counts).
     */
    private static final ObjectMapper BODIES = JsonMapper.builder(strictFactory(MAX_DEPTH))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /**
     * {@link #BODIES} for a body with an exempt member ({@code holds}: producer ids as member names, a million of
     * them): its names are neither kept in Jackson's symbol table nor interned, which cost most of the time of
     * reading such a report.
     */
    private static final ObjectMapper ID_KEYED_BODIES = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
                    .streamReadConstraints(constraints(MAX_DEPTH)).build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private JsonLimits() {
    }

    /** The constraints with {@code depth} levels of nesting allowed. */
    public static StreamReadConstraints constraints(int depth) {
        return StreamReadConstraints.builder().maxNestingDepth(depth).maxNumberLength(MAX_NUMBER_LENGTH).build();
    }

    /** A streaming factory for bodies nesting at most {@code depth} levels, refusing a member name twice in an object. */
    public static JsonFactory strictFactory(int depth) {
        return JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(constraints(depth)).build();
    }

    /**
     * Reads a whole request body as {@code type} (a record, a map, {@link JsonNode}), within the bounds.
     *
     * @param exempt the top-level member whose object is not counted against {@link #MAX_MEMBERS}, or null
     * @throws Refused saying what is wrong in words of our own
     */
    public static <T> T read(byte[] body, Class<T> type, String exempt) {
        ObjectMapper mapper = exempt == null ? BODIES : ID_KEYED_BODIES;
        try (JsonParser p = counting(mapper.createParser(body), exempt)) {
            T value = mapper.readValue(p, type);
            if (p.nextToken() != null) {
                throw Refused.malformed(at(p.currentTokenLocation()) + "there is more after the JSON value");
            }
            return value;
        } catch (IOException e) {
            throw refusal(e);
        }
    }

    /** The parser, counting the members of each object it reads; too many is a {@link TooManyMembers}. */
    public static JsonParser counting(JsonParser parser, String exempt) {
        return new MemberCounter(parser, exempt);
    }

    /** What a failure to read a body means, in our words: malformed (with where), or beyond a bound. */
    public static Refused refusal(IOException failure) {
        // databind wraps what the parser threw inside a record's field in a JsonMappingException with the path
        for (Throwable t = failure.getCause(); failure instanceof JsonMappingException && t != null && t != t.getCause();
             t = t.getCause()) {
            if (t instanceof JsonProcessingException inner && !(inner instanceof JsonMappingException)) {
                return refusal(inner);
            }
        }
        if (failure instanceof TooManyMembers) {
            return Refused.beyond("an object has more than " + MAX_MEMBERS + " members");
        }
        if (failure instanceof StreamConstraintsException e) {
            String message = String.valueOf(e.getOriginalMessage());
            if (message.contains("nesting depth")) {
                return Refused.beyond("the JSON nests deeper than " + MAX_DEPTH + " levels of arrays and objects");
            }
            if (message.contains("Number value length")) {
                return Refused.beyond("a number is longer than " + MAX_NUMBER_LENGTH + " characters");
            }
            return Refused.beyond("a value is longer than TopHat accepts");
        }
        if (failure instanceof JsonMappingException e) {
            return Refused.malformed(mismatch(e));
        }
        if (failure instanceof InputCoercionException e) {
            return Refused.malformed(at(e.getLocation()) + "a number is out of range for its field");
        }
        if (failure instanceof JsonProcessingException e) {
            return Refused.malformed(at(e.getLocation()) + syntax(e));
        }
        return Refused.malformed("the body cannot be read as JSON");
    }

    /** "at line L, column C: ", or nothing when the parser did not say. */
    private static String at(JsonLocation where) {
        if (where == null || where.getLineNr() < 1) {
            return "";
        }
        return "at line " + where.getLineNr() + ", column " + where.getColumnNr() + ": ";
    }

    /** Jackson's syntax errors, by the start of their messages, which have been stable since 2.0. */
    private static String syntax(JsonProcessingException e) {
        if (e instanceof JsonEOFException) {
            return "the JSON ends before it is complete";
        }
        String message = String.valueOf(e.getOriginalMessage());
        if (message.startsWith("Duplicate field")) {
            int open = message.indexOf('\'');
            int close = message.lastIndexOf('\'');
            String name = open >= 0 && close > open ? message.substring(open + 1, close) : "";
            return "the member name '" + WireText.echo(name) + "' comes twice in one object";
        }
        if (message.startsWith("Unexpected end-of-input")) {
            return "the JSON ends before it is complete";
        }
        if (message.startsWith("Unexpected close marker")) {
            return "a closing bracket or brace that does not match";
        }
        if (message.startsWith("Illegal unquoted character")) {
            return "a control character inside a string must be escaped";
        }
        if (message.startsWith("Illegal character") || message.startsWith("Invalid white space")) {
            return "a control character where only spaces, tabs and line breaks may be";
        }
        if (message.startsWith("Unrecognized character escape")) {
            return "an escape that JSON does not have";
        }
        if (message.startsWith("Unrecognized token") || message.startsWith("Non-standard token")) {
            return "a word that is not a JSON value (a string, a number, true, false or null)";
        }
        if (message.startsWith("Invalid numeric value") || message.startsWith("Leading zeroes")
                || message.contains("Unexpected character") && message.contains("numeric")) {
            return "a number that JSON does not allow";
        }
        if (message.startsWith("Invalid UTF-8") || message.startsWith("Invalid UTF-32")) {
            return "bytes that are not UTF-8";
        }
        if (message.startsWith("Unexpected character")) {
            return "a character that does not belong there";
        }
        return "this is not JSON";
    }

    /** Valid JSON of the wrong shape: which field, and what it must be. */
    private static String mismatch(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.length() == 0 ? "" : ".").append(WireText.echo(ref.getFieldName()));
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        String where = at(e.getLocation());
        Class<?> target = e instanceof MismatchedInputException m ? m.getTargetType() : null;
        String expected = target == null ? null : expected(target);
        if (path.length() == 0) {
            return where + (expected == null ? "the body does not have the fields this endpoint takes"
                    : "the body must be " + expected);
        }
        return where + path + (expected == null ? " has a value this endpoint cannot take" : " must be " + expected);
    }

    private static String expected(Class<?> type) {
        if (type == int.class || type == long.class || type == Integer.class || type == Long.class
                || type == short.class || type == Short.class) {
            return "a whole number";
        }
        if (type == double.class || type == float.class || type == Double.class || type == Float.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord() || JsonNode.class.isAssignableFrom(type)) {
            return "an object";
        }
        return null;
    }

    /** A body refused: {@code malformed} (400) when it is not the JSON asked for, else beyond a bound (422). */
    public static final class Refused extends RuntimeException {
        private final boolean malformed;
        private final String detail;

        private Refused(boolean malformed, String detail) {
            super(detail, null, false, false);
            this.malformed = malformed;
            this.detail = detail;
        }

        static Refused malformed(String detail) {
            return new Refused(true, detail);
        }

        static Refused beyond(String detail) {
            return new Refused(false, detail);
        }

        public boolean malformed() {
            return malformed;
        }

        public String detail() {
            return detail;
        }
    }

    /** An object with more than {@link #MAX_MEMBERS} members. */
    public static final class TooManyMembers extends JsonProcessingException {
        TooManyMembers(JsonLocation where) {
            super("an object has more than " + MAX_MEMBERS + " members", where);
        }
    }

    /**
     * Counts the members of every object open on the parser's path; each token passes through {@link #nextToken},
     * which {@link JsonParser}'s shortcuts ({@code nextFieldName}, {@code nextTextValue}, ...) call too.
     */
    private static final class MemberCounter extends JsonParserDelegate {
        private static final int UNCOUNTED = Integer.MIN_VALUE;
        private final String exempt;
        private int[] members = new int[MAX_DEPTH + 4];
        private int depth;
        private String topName;

        MemberCounter(JsonParser parser, String exempt) {
            super(parser);
            this.exempt = exempt;
        }

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken t = delegate.nextToken();
            if (t == null) {
                return null;
            }
            switch (t) {
                case START_OBJECT, START_ARRAY -> {
                    if (depth + 1 == members.length) {
                        members = Arrays.copyOf(members, members.length * 2);
                    }
                    boolean uncounted = t == JsonToken.START_ARRAY
                            || depth == 1 && exempt != null && exempt.equals(topName);
                    members[++depth] = uncounted ? UNCOUNTED : 0;
                }
                case END_OBJECT, END_ARRAY -> depth = Math.max(0, depth - 1);
                case FIELD_NAME -> {
                    if (depth == 1) {
                        topName = delegate.currentName();
                    }
                    if (members[depth] != UNCOUNTED && ++members[depth] > MAX_MEMBERS) {
                        throw new TooManyMembers(delegate.currentTokenLocation());
                    }
                }
                default -> {
                }
            }
            return t;
        }

        @Override
        public JsonToken nextValue() throws IOException {
            JsonToken t = nextToken();
            return t == JsonToken.FIELD_NAME ? nextToken() : t;
        }

        @Override
        public JsonParser skipChildren() throws IOException {
            JsonToken t = currentToken();
            if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
                return this;
            }
            int open = 1;
            while (open > 0) {
                JsonToken next = nextToken();
                if (next == null) {
                    return this;
                }
                if (next.isStructStart()) {
                    open++;
                } else if (next.isStructEnd()) {
                    open--;
                }
            }
            return this;
        }
    }
}
