package io.tophat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The bench's temporary folders (a system's files, copied wrk scripts), removed when it is done with them. */
final class TemporaryFolders {
    private TemporaryFolders() {
    }

    /** Removes {@code folder} and everything in it; a leftover temporary folder is harmless, so failures are ignored. */
    static void delete(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary folder is harmless
        }
    }
}
