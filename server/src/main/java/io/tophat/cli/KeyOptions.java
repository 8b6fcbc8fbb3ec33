package io.tophat.cli;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The consumer's credential: a key from {@code tophat keys add} (or the cluster secret), from a file or the
 * environment, never the command line (where every user of the machine could read it).
 */
final class KeyOptions {
    static final String KEY_ENV = "TOPHAT_KEY";

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "A file holding the consumer key (its first line); else env " + KEY_ENV
                    + "; none for an open deployment.")
    Path keyFile;

    /** The key, or null for none. */
    String key() {
        if (keyFile != null) {
            try {
                return Files.readAllLines(keyFile).stream().map(String::strip).filter(l -> !l.isEmpty())
                        .findFirst().orElseThrow(() -> new IllegalArgumentException("--key-file " + keyFile
                                + " is empty"));
            } catch (IOException e) {
                throw new IllegalArgumentException("--key-file " + keyFile + " cannot be read ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        String env = System.getenv(KEY_ENV);
        return env == null || env.isBlank() ? null : env.strip();
    }
}
