package io.tophat.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live heap of another JVM: {@code jcmd PID GC.class_histogram} collects fully first, then counts every
 * object left, and its last line totals their bytes. Needs the JDK's jcmd beside this JVM's java.
 */
final class LiveHeap {
    private static final Pattern TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");

    private LiveHeap() {
    }

    /** The live bytes of process {@code pid}, or empty when jcmd is missing or cannot attach. */
    static OptionalLong of(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return OptionalLong.empty();
        }
        ToolRun run = ToolRun.run(List.of(jcmd.toString(), Long.toString(pid), "GC.class_histogram"),
                Duration.ofMinutes(2));
        return parse(run.stdout());
    }

    /** The total of a class histogram's last line. */
    static OptionalLong parse(String histogram) {
        Matcher m = TOTAL.matcher(histogram);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }
}
