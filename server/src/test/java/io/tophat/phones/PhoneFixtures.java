package io.tophat.phones;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The payloads of {@code src/test/resources/phones/}, in the shapes the apps send. */
final class PhoneFixtures {
    private PhoneFixtures() {
    }

    static String text(String name) {
        try (InputStream in = PhoneFixtures.class.getResourceAsStream("/phones/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture phones/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
