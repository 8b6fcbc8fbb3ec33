package io.tophat.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A balancer or worker the bench runs as its own JVM from the jar it runs from (same java, same JVM options),
 * its output in a log file, so that it can be killed and started again as a deployment's would be. Signals go
 * to this process only, by its pid.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern BALANCER_URL = Pattern.compile("TopHat balancer on (http://\\S+)");
    private static final Pattern WORKER_PORT = Pattern.compile("TopHat worker on port (\\d+)");

    private final String name;
    private final Process process;
    private final Path log;

    private ServerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code tophat ARGS} (for example {@code balancer --port 0 ...}), its output appended to {@code log}. */
    static ServerProcess start(String name, Path log, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(o -> !o.startsWith("-agentlib") && !o.startsWith("-javaagent")).toList());
        command.addAll(List.of("-jar", jar().toString()));
        command.addAll(args);
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            return new ServerProcess(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The fat jar this bench runs from (or the one the system property {@code tophat.jar} names); a bench run
     * from classes has none, and is told to run from the jar.
     */
    static Path jar() {
        String property = System.getProperty("tophat.jar");
        Path jar;
        if (property != null) {
            jar = Path.of(property);
        } else {
            try {
                jar = Path.of(ServerProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException | SecurityException e) {
                throw new IllegalArgumentException("cannot tell which jar this bench runs from: " + e.getMessage());
            }
        }
        if (!Files.isRegularFile(jar) || !jar.toString().endsWith(".jar")) {
            throw new IllegalArgumentException("this scenario runs its servers as processes from tophat.jar; run "
                    + "it with bin/tophat (it runs from " + jar + ")");
        }
        return jar.toAbsolutePath();
    }

    /** The balancer's URL once it prints it; fails with its output when it ends or takes longer than {@code patience}. */
    URI awaitBalancer(Duration patience) {
        return URI.create(await(BALANCER_URL, patience));
    }

    /** Waits until the worker says it listens (and registered); returns its port. */
    int awaitWorker(Duration patience) {
        return Integer.parseInt(await(WORKER_PORT, patience));
    }

    private String await(Pattern line, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            Matcher m = line.matcher(output());
            if (m.find()) {
                return m.group(1);
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the " + name + " ended with " + process.exitValue() + ":\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + name + " did not start in " + patience.toSeconds() + " s:\n"
                        + tail());
            }
            pause(20);
        }
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    long pid() {
        return process.pid();
    }

    /** Everything it printed so far. */
    String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private String tail() {
        String out = output();
        return out.length() > 4000 ? out.substring(out.length() - 4000) : out;
    }

    /** SIGKILL, as a crash or an out-of-memory killer would; returns when it is gone. */
    void kill() {
        process.destroyForcibly();
        waitGone(Duration.ofSeconds(30));
    }

    /** SIGTERM (the server shuts down as it does on Ctrl-C), then SIGKILL after 20 s. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!waitGone(Duration.ofSeconds(20))) {
            kill();
        }
    }

    private boolean waitGone(Duration patience) {
        try {
            return process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
