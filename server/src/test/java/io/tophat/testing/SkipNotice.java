package io.tophat.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tests skipped for want of something on this machine say so where the Maven console shows it: the build sends
 * test output to report files, so the line goes to stderr (the report) and to a file in the folder named by the
 * {@value #FOLDER} system property, which {@code server/pom.xml} prints as a warning after the unit tests and again
 * after the integration tests.
 */
public final class SkipNotice {
    public static final String FOLDER = "tophat.test.skips";
    private static final Set<String> TOLD = ConcurrentHashMap.newKeySet();

    private SkipNotice() {
    }

    /** Says {@code line} once per test JVM for {@code topic}. */
    public static void tell(String topic, String line) {
        if (!TOLD.add(topic)) {
            return;
        }
        System.err.println(line);
        String folder = System.getProperty(FOLDER);
        if (folder == null) {
            return;
        }
        try {
            Path dir = Files.createDirectories(Path.of(folder));
            Files.writeString(dir.resolve(topic + ".txt"), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("cannot leave the skip notice in " + folder + ": " + e.getMessage());
        }
    }
}
