package io.tophat.cli;

import io.tophat.security.Secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The local system's own cluster and device secrets: made at its first start in a folder of the data dir, readable
 * by their owner only, and read again at later starts, so that tokens and tools keep working across restarts.
 */
record LocalSecrets(Secrets cluster, Secrets device, Path clusterFile, Path deviceFile) {

    static LocalSecrets in(Path dir) {
        try {
            Files.createDirectories(dir);
            Path cluster = made(dir.resolve("cluster.secret"));
            Path device = made(dir.resolve("device.secret"));
            return new LocalSecrets(Secrets.read(cluster, "cluster.secret"), Secrets.read(device, "device.secret"),
                    cluster, device);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the local secrets in " + dir, e);
        }
    }

    private static Path made(Path file) throws IOException {
        if (!Files.exists(file)) {
            Files.writeString(file, Secrets.generate() + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // a file system without POSIX permissions: left as the platform made it
            }
        }
        return file;
    }
}
