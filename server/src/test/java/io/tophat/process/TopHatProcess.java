package io.tophat.process;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code tophat} command running as its own JVM from the fat jar, its output in a file. Tests kill it
 * with SIGKILL ({@link #kill}), stop it with SIGTERM ({@link #terminate}) or freeze it with SIGSTOP.
 */
final class TopHatProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private TopHatProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static TopHatProcess start(Path dir, String name, String... args) throws IOException {
        return start(dir, name, List.of("-Xmx256m"), args);
    }

    /** Starts a command with these JVM options (heap size, for example). */
    static TopHatProcess start(Path dir, String name, List<String> jvmOptions, String... args) throws IOException {
        String jar = System.getProperty("tophat.jar", "target/tophat.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("the fat jar " + jar + " is missing; run mvn verify");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar));
        command.addAll(List.of(args));
        Path log = dir.resolve(name + ".log");
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new TopHatProcess(name, process, log);
    }

    /** Waits until the output contains {@code text}; fails with the output if the process ends first. */
    TopHatProcess awaitOutput(String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (output().contains(text)) {
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " ended with " + process.exitValue() + " before printing '" + text
                        + "':\n" + output());
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " did not print '" + text + "' in " + timeout + ":\n" + output());
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: the process gets no chance to flush or say goodbye. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, then waits for the exit code. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout);
        }
        return process.exitValue();
    }

    void signal(String signal) throws IOException, InterruptedException {
        int code = new ProcessBuilder("kill", "-" + signal, Long.toString(pid())).start().waitFor();
        if (code != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
