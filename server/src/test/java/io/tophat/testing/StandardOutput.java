package io.tophat.testing;

import io.tophat.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** What code run in this process prints to standard output, captured (and echoed to the test's own output). */
public final class StandardOutput {
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    private StandardOutput() {
    }

    /** Runs {@code body} with standard output captured; returns what it printed. */
    public static synchronized String of(Body body) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.out.flush();
            System.setOut(original);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        original.println(out);
        return out;
    }

    /** Runs the command line {@code tophat ARGS} in this process; asserts it exits 0 and returns what it printed. */
    public static String ofTophat(String... args) throws Exception {
        int[] code = new int[1];
        String out = of(() -> code[0] = Main.commandLine().execute(args));
        assertThat(code[0]).as("tophat " + String.join(" ", args) + ":\n" + out).isZero();
        return out;
    }
}
