package io.tophat.testing;

import java.util.List;
import java.util.Random;

/** Writes JSON text the way different producers do: random whitespace, and escapes chosen at random per character. */
public final class JsonText {
    private static final String[] SPACES = {"", "", "", " ", "\n", "\t", "\r\n  "};

    private JsonText() {
    }

    /** Whitespace between tokens: mostly none. */
    public static String space(Random random) {
        return SPACES[random.nextInt(SPACES.length)];
    }

    /** {@code s} as a JSON string, each character written literally or escaped ({@code \n}, {@code \u00e9}, surrogate pairs). */
    public static String quote(String s, Random random) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean mustEscape = cp < 0x20 || cp == '"' || cp == '\\';
            if (!mustEscape && random.nextInt(8) != 0) {
                out.appendCodePoint(cp);
                continue;
            }
            String shortEscape = switch (cp) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '/' -> "\\/";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> null;
            };
            if (shortEscape != null && random.nextBoolean()) {
                out.append(shortEscape);
            } else {
                for (char unit : Character.toChars(cp)) {
                    String hex = String.format("%04x", (int) unit);
                    out.append("\\u").append(random.nextBoolean() ? hex : hex.toUpperCase());
                }
            }
        }
        return out.append('"').toString();
    }

    public static String array(List<String> items, Random random) {
        return "[" + space(random) + String.join(space(random) + "," + space(random), items) + space(random) + "]";
    }

    public static String object(List<String> members, Random random) {
        return "{" + space(random) + String.join(space(random) + "," + space(random), members) + space(random) + "}";
    }
}
