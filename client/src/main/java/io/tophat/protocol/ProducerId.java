package io.tophat.protocol;

/**
 * A producer's identity: 1 to 64 characters of {@code [A-Za-z0-9._:-]}. A 15-digit IMEI is one.
 */
public final class ProducerId {
    public static final int MAX_LENGTH = 64;

    private ProducerId() {
    }

    /** Returns null when {@code id} is a valid producer id, else a sentence saying what is wrong. */
    public static String problem(CharSequence id) {
        if (id == null || id.length() == 0) {
            return "producer id is empty";
        }
        if (id.length() > MAX_LENGTH) {
            return "producer id is " + id.length() + " characters long, at most " + MAX_LENGTH + " are allowed";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return "producer id may only contain letters, digits and . _ : - (found '" + c + "' at position " + i + ")";
            }
        }
        return null;
    }

    public static boolean isValid(CharSequence id) {
        return problem(id) == null;
    }

    /** Returns {@code id} when valid, else throws {@link IllegalArgumentException} saying what is wrong. */
    public static String require(String id) {
        String problem = problem(id);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return id;
    }
}
