package io.tophat.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Outputs of wrk and ab recorded on real runs (against nginx and odd test servers), kept under test resources. */
final class Recorded {
    private Recorded() {
    }

    /** The text of {@code /bench/TOOL/NAME.txt}, for example {@code output("wrk", "non-2xx")}. */
    static String output(String tool, String name) {
        String path = "/bench/" + tool + "/" + name + ".txt";
        try (InputStream in = Recorded.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
