package io.tophat.testing;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code tophat} command running as its own JVM from the fat jar (system property {@code tophat.jar}), its
 * output in {@code <dir>/<name>.log}. Signals go to this process only, by its pid.
 */
public final class JarProcess implements AutoCloseable {
    private static final java.util.regex.Pattern PRINTED_PORT =
            java.util.regex.Pattern.compile("TopHat (?:balancer on http://[^\\s]+:(\\d+)|worker on port (\\d+))");
    /**
     * The options of processes whose speed the test does not measure: C1 only, which starts a JVM about 20% sooner
     * and leaves the cores to the others while several start at once.
     */
    private static final List<String> QUICK_START = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private final String name;
    private final Process process;
    private final Path log;
    private final long startedNanos = System.nanoTime();

    private JarProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static JarProcess start(Path dir, String name, String... args) throws IOException {
        return start(dir, name, List.of(args));
    }

    public static JarProcess start(Path dir, String name, List<String> args) throws IOException {
        return start(dir, name, List.of("-Xmx256m", "-XX:+UseSerialGC"), args);
    }

    /** Starts a command with these JVM options (a heap size, for example) instead of the defaults. */
    public static JarProcess start(Path dir, String name, List<String> jvmOptions, List<String> args)
            throws IOException {
        return start(List.of(), dir, name, jvmOptions, Map.of(), args);
    }

    /** Starts a command with these environment variables added to the test's, quickly ({@link #QUICK_START}). */
    public static JarProcess start(Path dir, String name, Map<String, String> environment, List<String> args)
            throws IOException {
        return start(List.of(), dir, name, QUICK_START, environment, args);
    }

    /**
     * Starts a command inside a network namespace ({@code ip netns exec}, which becomes the JVM: the pid is its),
     * quickly ({@link #QUICK_START}).
     */
    public static JarProcess startIn(String namespace, Path dir, String name, List<String> args) throws IOException {
        return start(List.of("ip", "netns", "exec", namespace), dir, name, QUICK_START, Map.of(), args);
    }

    private static JarProcess start(List<String> prefix, Path dir, String name, List<String> jvmOptions,
                                    Map<String, String> environment, List<String> args) throws IOException {
        String jar = System.getProperty("tophat.jar", "target/tophat.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("the fat jar " + jar + " is missing; run mvn verify");
        }
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", Path.of(jar).toAbsolutePath().toString()));
        command.addAll(args);
        Files.createDirectories(dir);
        Path log = dir.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // these processes test the cluster's behaviour, not its credentials: open unless a test says otherwise
        builder.environment().putIfAbsent("TOPHAT_AUTH", "none");
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new JarProcess(name, process, log);
    }

    public String name() {
        return name;
    }

    /** Waits until the output contains {@code text}; fails with the output if the process ends first. */
    public JarProcess awaitOutput(String text, Duration timeout) throws Exception {
        try {
            Awaitility.await(name + " prints '" + text + "'").atMost(timeout).pollInterval(Duration.ofMillis(20))
                    .failFast(name + " ended before printing '" + text + "'", () -> !process.isAlive()
                            && !output().contains(text))
                    .until(() -> output().contains(text));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(name + " did not print '" + text + "' in " + timeout + ":\n" + output(), e);
        } catch (org.awaitility.core.TerminalFailureException e) {
            throw new AssertionError(name + " ended with " + process.exitValue() + " before printing '" + text
                    + "':\n" + output(), e);
        }
        return this;
    }

    /**
     * The port the server said it listens on: {@code TopHat balancer on http://HOST:PORT} or {@code TopHat worker
     * on port PORT}, so a test can start it with {@code --port 0} (after {@link #awaitOutput} of that line).
     */
    public int printedPort() throws IOException {
        java.util.regex.Matcher m = PRINTED_PORT.matcher(output());
        if (!m.find()) {
            throw new AssertionError(name + " printed no port:\n" + output());
        }
        return Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
    }

    public String output() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /** The JVM's process id (its {@code /proc/PID/status} tells its resident memory, for example). */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public long startedNanos() {
        return startedNanos;
    }

    /** SIGKILL: the process gets no chance to flush or say goodbye. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, then waits for the exit code. */
    public int terminate(Duration timeout) throws Exception {
        process.destroy();
        return waitFor(timeout);
    }

    /** Waits for the process to end; fails with its output when it does not. */
    public int waitFor(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not exit within " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    /** Sends {@code kill -SIGNAL pid} to this process (STOP, CONT, ...). */
    public void signal(String signal) throws IOException, InterruptedException {
        int code = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start().waitFor();
        if (code != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                signal("CONT");
            } catch (IOException | IllegalStateException e) {
                // it may have ended meanwhile
            }
            process.destroyForcibly();
            process.waitFor();
        }
    }
}
