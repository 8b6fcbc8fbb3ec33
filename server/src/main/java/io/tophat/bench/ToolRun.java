package io.tophat.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One run of an external command (wrk or ab) as a child process: what it printed, how it ended and the CPU time
 * it used ({@link ChildCpu}). Its output goes to temporary files, removed afterwards, so neither stream can
 * fill up and stall it. The bench runs one such child at a time, so the children's CPU time read around the run
 * is this child's.
 *
 * @param command  the command and its arguments
 * @param exitCode how it ended
 * @param stdout   its standard output
 * @param stderr   its standard error
 * @param cpuNanos its CPU time (user and system), or -1 when it could not be read
 */
record ToolRun(List<String> command, int exitCode, String stdout, String stderr, long cpuNanos) {

    ToolRun {
        command = List.copyOf(command);
    }

    /** Runs {@code command} and waits for it, at most {@code patience}: then it is killed and the run fails. */
    static ToolRun run(List<String> command, Duration patience) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("tophat-bench-", ".out");
            err = Files.createTempFile("tophat-bench-", ".err");
            long before = ChildCpu.nanos();
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            int code = await(process, patience, command);
            long after = ChildCpu.nanos();
            return new ToolRun(command, code, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), before < 0 || after < 0 ? -1 : after - before);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static int await(Process process, Duration patience, List<String> command) {
        try {
            if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(command.get(0) + " did not end within " + patience.toSeconds()
                        + " s and was stopped: " + line(command));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the bench was interrupted while " + command.get(0) + " ran", e);
        }
    }

    /** The command as one would type it, arguments with spaces or quotes quoted. */
    String commandLine() {
        return line(command);
    }

    static String line(List<String> command) {
        return command.stream().map(a -> a.matches("[A-Za-z0-9_./:=@%+,-]+") ? a : "'" + a.replace("'", "'\\''") + "'")
                .collect(Collectors.joining(" "));
    }

    /** Fails with the tool's last words when it did not end well or printed something {@code parse} cannot read. */
    <T> T parsed(Function<String, T> parse) {
        String tool = command.get(0);
        if (exitCode != 0) {
            throw new IllegalStateException(tool + " failed (exit " + exitCode + "): "
                    + OutputPatterns.lastLine(stderr.isBlank() ? stdout : stderr) + "; the command: " + commandLine());
        }
        try {
            return parse.apply(stdout);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read " + tool + "'s output (" + e.getMessage() + "); the command: "
                    + commandLine(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a leftover temporary file is harmless
            }
        }
    }
}
