package io.tophat.http;

/**
 * Checks that text on the wire is text TopHat can keep exactly: well-formed UTF-8 (RFC 3629: no overlong forms,
 * no encoded surrogates as in CESU-8, nothing above U+10FFFF) and, for JSON, no {@code \\u} escape that leaves a
 * surrogate unpaired. Java strings, SQLite and every reader would turn either into U+FFFD or {@code ?}, so both
 * are refused rather than stored changed. Each check is one pass over the bytes and allocates nothing.
 */
public final class WireText {
    /** The most characters of a request's own text an error's detail repeats. */
    public static final int MAX_ECHO = 64;

    private WireText() {
    }

    /**
     * A piece of a request (a query value, a path segment, a member name) as an error's detail may repeat it: at
     * most {@link #MAX_ECHO} characters, cut with {@code ...}, and every control character shown as {@code ?}. The
     * detail is then JSON-encoded with the rest of the error body, which escapes quotes and backslashes.
     */
    public static String echo(String text) {
        if (text == null) {
            return "";
        }
        int end = Math.min(text.length(), MAX_ECHO);
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        StringBuilder out = new StringBuilder(end + 3);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return end < text.length() ? out.append("...").toString() : out.toString();
    }

    /** Null when {@code bytes[from, to)} is well-formed UTF-8, else a sentence naming the first bad byte. */
    public static String utf8Problem(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to) {
            int b = bytes[i];
            if (b >= 0) {
                i++;
                continue;
            }
            int lead = b & 0xff;
            int length;
            int min = 0x80;
            int max = 0xbf;
            if (lead >= 0xc2 && lead <= 0xdf) {
                length = 2;
            } else if (lead >= 0xe0 && lead <= 0xef) {
                length = 3;
                if (lead == 0xe0) {
                    min = 0xa0;
                } else if (lead == 0xed) {
                    max = 0x9f;
                }
            } else if (lead >= 0xf0 && lead <= 0xf4) {
                length = 4;
                if (lead == 0xf0) {
                    min = 0x90;
                } else if (lead == 0xf4) {
                    max = 0x8f;
                }
            } else {
                return "invalid UTF-8 at byte " + (i - from) + ": 0x" + Integer.toHexString(lead)
                        + (lead == 0xc0 || lead == 0xc1 ? " starts an overlong encoding"
                        : lead >= 0xf5 ? " would encode a code point above U+10FFFF" : " cannot start a character");
            }
            if (i + length > to) {
                return "invalid UTF-8 at byte " + (i - from) + ": the text ends inside a character";
            }
            int second = bytes[i + 1] & 0xff;
            if (second < min || second > max) {
                return "invalid UTF-8 at byte " + (i - from) + ": " + secondByteProblem(lead, second);
            }
            for (int k = 2; k < length; k++) {
                int next = bytes[i + k] & 0xff;
                if (next < 0x80 || next > 0xbf) {
                    return "invalid UTF-8 at byte " + (i + k - from) + ": 0x" + Integer.toHexString(next)
                            + " is not a continuation byte";
                }
            }
            i += length;
        }
        return null;
    }

    private static String secondByteProblem(int lead, int second) {
        if (second < 0x80 || second > 0xbf) {
            return "0x" + Integer.toHexString(second) + " is not a continuation byte";
        }
        return switch (lead) {
            case 0xe0, 0xf0 -> "an overlong encoding";
            case 0xed -> "an encoded UTF-16 surrogate (CESU-8), not a character";
            default -> "a code point above U+10FFFF";
        };
    }

    /**
     * Null when every {@code \\u} escape in the JSON text {@code bytes[from, to)} that names a UTF-16 surrogate is
     * one half of a pair, else a sentence naming the first lone one. Backslashes only occur inside strings in
     * JSON, so the escapes are found without tracking strings; a text that is not JSON gets its own answer from
     * the parser.
     */
    public static String loneSurrogateEscape(byte[] bytes, int from, int to) {
        int i = from;
        while (i < to) {
            if (bytes[i] != '\\') {
                i++;
                continue;
            }
            if (i + 1 >= to || bytes[i + 1] != 'u') {
                i += 2;
                continue;
            }
            int unit = hex4(bytes, i + 2, to);
            if (unit >= 0xdc00 && unit <= 0xdfff) {
                return "the escape \\u" + Integer.toHexString(unit) + " at byte " + (i - from)
                        + " is a low surrogate without a high surrogate before it";
            }
            if (unit >= 0xd800 && unit <= 0xdbff) {
                int low = i + 7 < to && bytes[i + 6] == '\\' && bytes[i + 7] == 'u' ? hex4(bytes, i + 8, to) : -1;
                if (low < 0xdc00 || low > 0xdfff) {
                    return "the escape \\u" + Integer.toHexString(unit) + " at byte " + (i - from)
                            + " is a high surrogate without a low surrogate escape after it";
                }
                i += 12;
            } else {
                i += 6;
            }
        }
        return null;
    }

    private static int hex4(byte[] bytes, int at, int to) {
        if (at + 4 > to) {
            return -1;
        }
        int value = 0;
        for (int k = 0; k < 4; k++) {
            int digit = Character.digit(bytes[at + k], 16);
            if (digit < 0) {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }
}
