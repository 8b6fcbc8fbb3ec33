package io.tophat.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * One or more secrets of one kind, as a secret file holds them: one per line, blank lines and lines starting with
 * {@code #} ignored. The first is the one this process sends or signs with; every one is accepted, so that a
 * secret can be rotated without a flag day (add the new one second everywhere, then first, then drop the old).
 * Never printed: {@link #toString} says only how many there are.
 */
public final class Secrets {
    /** The shortest secret accepted, in characters. */
    public static final int MIN_LENGTH = 16;

    private final List<byte[]> values;

    private Secrets(List<byte[]> values) {
        this.values = List.copyOf(values);
    }

    /**
     * The secrets in {@code text}, from {@code source} (a flag or variable name, for the error message).
     *
     * @throws IllegalArgumentException when there is none, or one is shorter than {@link #MIN_LENGTH}
     */
    public static Secrets parse(String text, String source) {
        List<byte[]> values = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String value = line.strip();
            if (value.isEmpty() || value.startsWith("#")) {
                continue;
            }
            if (value.length() < MIN_LENGTH) {
                throw new IllegalArgumentException(source + ": a secret must be at least " + MIN_LENGTH
                        + " characters long (line " + (values.size() + 1) + " is " + value.length() + ")");
            }
            values.add(value.getBytes(StandardCharsets.UTF_8));
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException(source + " holds no secret");
        }
        return new Secrets(values);
    }

    /** The secrets in a file; a file that cannot be read is an error naming the flag, not the file's content. */
    public static Secrets read(Path file, String flag) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), flag + " " + file);
        } catch (IOException e) {
            throw new IllegalArgumentException(flag + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    /** A new random secret, 32 bytes in URL-safe base64 (for {@code tophat local}, the bench and tests). */
    public static String generate() {
        byte[] bytes = new byte[32];
        Random.SOURCE.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The one this process sends, as text (the cluster secret in its calls to other processes). */
    public String current() {
        return new String(values.get(0), StandardCharsets.UTF_8);
    }

    List<byte[]> all() {
        return values;
    }

    /** Whether {@code presented} is one of the secrets, compared in constant time. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] value : values) {
            match |= MessageDigest.isEqual(value, bytes);
        }
        return match;
    }

    @Override
    public String toString() {
        return values.size() + (values.size() == 1 ? " secret" : " secrets");
    }

    /** One strong random source for the package. */
    static final class Random {
        static final java.security.SecureRandom SOURCE = new java.security.SecureRandom();

        private Random() {
        }
    }
}
