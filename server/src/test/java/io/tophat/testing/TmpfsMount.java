package io.tophat.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A tmpfs of a few megabytes mounted on a directory, for tests of what the server does when its disk is full:
 * {@link #fill()} takes all the space that is left, {@link #free()} gives it back. Mounting needs root (and the
 * right to mount, which a container may not grant), so a test asks {@link #possible()} first. {@link #close()}
 * always unmounts, lazily if the mount is busy.
 */
public final class TmpfsMount implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final int CHUNK = 1 << 20;
    private static Boolean possible;

    private final Path dir;
    private boolean mounted = true;

    private TmpfsMount(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code megabytes} MiB on {@code dir}, creating the directory if needed. */
    public static TmpfsMount mount(Path dir, int megabytes) throws IOException {
        Files.createDirectories(dir);
        Path real = dir.toRealPath();
        run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tophat-test", real.toString());
        return new TmpfsMount(real);
    }

    /** Whether this process can mount a tmpfs: it runs as root and a trial mount of 1 MiB works. */
    public static synchronized boolean possible() {
        if (possible == null) {
            possible = tryMounting();
        }
        return possible;
    }

    private static boolean tryMounting() {
        try {
            if (!run("id", "-u").trim().equals("0")) {
                return false;
            }
            Path trial = Files.createTempDirectory("tophat-tmpfs-trial");
            try {
                mount(trial, 1).close();
                return true;
            } catch (IOException e) {
                return false;
            } finally {
                Files.deleteIfExists(trial);
            }
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether {@code dir} is a mount point listed in {@code /proc/mounts}. */
    public static boolean mounted(Path dir) throws IOException {
        String wanted = dir.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/mounts"), StandardCharsets.UTF_8)) {
            String[] fields = line.split(" ");
            if (fields.length > 1 && unescape(fields[1]).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Writes {@code filler.bin} in 1 MiB chunks until the filesystem is full ("No space left on device") and
     * returns the bytes that went in.
     */
    public long fill() throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        long written = 0;
        try (FileChannel out = FileChannel.open(filler(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            while (true) {
                chunk.clear();
                while (chunk.hasRemaining()) {
                    written += out.write(chunk);
                }
            }
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains("No space left on device")) {
                throw e;
            }
        }
        return written;
    }

    /** Deletes the filler, so the space is free again. */
    public void free() throws IOException {
        Files.deleteIfExists(filler());
    }

    /** Frees the space and unmounts, with {@code umount -l} when the mount is busy; fails if it stays mounted. */
    @Override
    public void close() throws IOException {
        if (!mounted) {
            return;
        }
        try {
            free();
        } catch (IOException e) {
            // the unmount below throws it all away anyway
        }
        try {
            run("umount", dir.toString());
        } catch (IOException e) {
            if (mounted(dir)) {
                run("umount", "-l", dir.toString());
            }
        }
        if (mounted(dir)) {
            throw new IOException(dir + " is still mounted after umount");
        }
        mounted = false;
    }

    private Path filler() {
        return dir.resolve("filler.bin");
    }

    /** Runs a command and returns its output; fails with the output when it exits non-zero or takes too long. */
    private static String run(String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not end within " + COMMAND_TIMEOUT);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": "
                    + output.trim());
        }
        return output;
    }

    /** {@code /proc/mounts} writes a space, tab, newline or backslash in a path as an octal escape. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
