package io.tophat.http;

/**
 * Checks a request target (path and query, as on the request line) before anything decodes it: ASCII only, every
 * {@code %} followed by two hex digits, and the bytes the escapes stand for well-formed UTF-8, so that no decoder
 * downstream fails on it or silently turns it into U+FFFD.
 */
final class RequestTarget {
    private RequestTarget() {
    }

    /** Null when the target can be decoded exactly, else a sentence saying what is wrong. */
    static String problem(String target) {
        int length = target.length();
        boolean escaped = false;
        for (int i = 0; i < length; i++) {
            char c = target.charAt(i);
            if (c > 0x7e || c < 0x21) {
                return "the path and query must be ASCII without spaces or control characters; percent-encode other bytes";
            }
            if (c == '%') {
                if (i + 2 >= length || Character.digit(target.charAt(i + 1), 16) < 0
                        || Character.digit(target.charAt(i + 2), 16) < 0) {
                    return "'%' must be followed by two hex digits (percent-encoding), at character " + i;
                }
                escaped = true;
                i += 2;
            }
        }
        return escaped ? escapesProblem(target) : null;
    }

    /** The escapes decoded in place, the rest of the target kept as its ASCII bytes, checked as UTF-8. */
    private static String escapesProblem(String target) {
        byte[] decoded = new byte[target.length()];
        int n = 0;
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '%') {
                decoded[n++] = (byte) (Character.digit(target.charAt(i + 1), 16) << 4 | Character.digit(target.charAt(i + 2), 16));
                i += 2;
            } else {
                decoded[n++] = (byte) c;
            }
        }
        String problem = WireText.utf8Problem(decoded, 0, n);
        return problem == null ? null : "the percent-escapes do not decode to UTF-8: " + problem;
    }
}
