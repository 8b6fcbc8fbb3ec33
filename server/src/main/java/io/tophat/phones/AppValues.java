package io.tophat.phones;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.tophat.protocol.ProducerId;


/** The checks and conversions both apps' messages share: ids, coordinates, numbers, typed data members. */
final class AppValues {
    /** Knots to metres a second (OsmAnd speeds). */
    static final double METRES_PER_SECOND_PER_KNOT = 1852.0 / 3600.0;
    /** Kilometres an hour to metres a second (OwnTracks {@code vel}). */
    static final double METRES_PER_SECOND_PER_KMH = 1000.0 / 3600.0;
    /** Longest value text kept as a number (the worker's own bound on numbers is 1000 characters). */
    private static final int LONGEST_NUMBER = 100;

    private AppValues() {
    }

    /** The producer id, checked by TopHat's id rule. */
    static String producer(String id, String from) {
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw new PhoneMessageException("invalid producer id", from + ": " + problem);
        }
        return id;
    }

    static double latitude(Double lat) {
        if (lat == null || !Double.isFinite(lat) || lat < -90 || lat > 90) {
            throw new PhoneMessageException("invalid location", "a latitude from -90 to 90 is needed");
        }
        return lat;
    }

    static double longitude(Double lon) {
        if (lon == null || !Double.isFinite(lon) || lon < -180 || lon > 180) {
            throw new PhoneMessageException("invalid location", "a longitude from -180 to 180 is needed");
        }
        return lon;
    }

    /** {@code text} (a number as JSON writes one) as a finite number, or null when absent. */
    static Double number(String text, String name) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (isJsonNumber(text)) {
            double v = Double.parseDouble(text);
            if (Double.isFinite(v)) {
                return v;
            }
        }
        throw new PhoneMessageException("invalid " + name, name + " must be a number");
    }

    /** A JSON number member's value, or null when absent or JSON null; {@code name} names it in the error. */
    static Double number(JsonNode node, String name) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isNumber() || !Double.isFinite(node.asDouble())) {
            throw new PhoneMessageException("invalid " + name, name + " must be a number");
        }
        return node.asDouble();
    }

    /**
     * Puts a form or query value into {@code data} as Traccar types it: a number when it is written as one (kept
     * digit for digit), a boolean for {@code true} and {@code false}, else the text.
     */
    static void putTyped(ObjectNode data, String name, String value) {
        if (isJsonNumber(value)) {
            data.putRawValue(name, new RawValue(value));
        } else if (value.equals("true") || value.equals("false")) {
            data.put(name, Boolean.parseBoolean(value));
        } else {
            data.put(name, value);
        }
    }

    /**
     * Whether {@code text} is a number as RFC 8259 writes one ({@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}),
     * at most {@value #LONGEST_NUMBER} characters: such text is kept in {@code data} as a number, digit for digit.
     */
    static boolean isJsonNumber(String text) {
        int n = text.length();
        if (n == 0 || n > LONGEST_NUMBER) {
            return false;
        }
        int i = text.charAt(0) == '-' ? 1 : 0;
        if (i == n) {
            return false;
        }
        if (text.charAt(i) == '0') {
            i++;
        } else {
            int start = i;
            i = digits(text, i);
            if (i == start) {
                return false;
            }
        }
        if (i < n && text.charAt(i) == '.') {
            int start = ++i;
            i = digits(text, i);
            if (i == start) {
                return false;
            }
        }
        if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            i++;
            if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
                i++;
            }
            int start = i;
            i = digits(text, i);
            if (i == start) {
                return false;
            }
        }
        return i == n;
    }

    private static int digits(String text, int from) {
        int i = from;
        while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
