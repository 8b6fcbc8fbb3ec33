package io.tophat.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the SQLite heartbeat store.
 *
 * @param file            the database file; it and its parent folders are created when missing. No default: the
 *                        worker chooses it (for example {@code data/heartbeats.db}).
 * @param synchronous     how hard a commit pushes the data to the disk; default {@link Synchronous#NORMAL}
 * @param readConnections how many read-only connections serve concurrent reads, at least 1; default
 *                        {@value #DEFAULT_READ_CONNECTIONS}
 */
public record SqliteStoreConfig(Path file, Synchronous synchronous, int readConnections) {

    public static final int DEFAULT_READ_CONNECTIONS = 4;
    public static final int MAX_READ_CONNECTIONS = 64;

    /** SQLite's {@code synchronous} setting, as it behaves in WAL mode (the only mode this store uses). */
    public enum Synchronous {
        /**
         * A commit survives the process being killed (SIGKILL included), but the last commits before a power
         * loss or an operating-system crash may be lost. The database is never corrupted. Much faster than
         * {@link #FULL}: the disk is synced at checkpoints, not at every commit.
         */
        NORMAL,
        /** Every commit is synced to the disk before it returns, so it also survives a power loss. */
        FULL
    }

    public SqliteStoreConfig {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(synchronous, "synchronous");
        if (readConnections < 1 || readConnections > MAX_READ_CONNECTIONS) {
            throw new IllegalArgumentException("readConnections is " + readConnections
                    + "; it must be between 1 and " + MAX_READ_CONNECTIONS);
        }
    }

    /** The defaults for {@code file}: {@link Synchronous#NORMAL}, {@value #DEFAULT_READ_CONNECTIONS} readers. */
    public static SqliteStoreConfig defaults(Path file) {
        return new SqliteStoreConfig(file, Synchronous.NORMAL, DEFAULT_READ_CONNECTIONS);
    }

    public SqliteStoreConfig withSynchronous(Synchronous value) {
        return new SqliteStoreConfig(file, value, readConnections);
    }

    public SqliteStoreConfig withReadConnections(int value) {
        return new SqliteStoreConfig(file, synchronous, value);
    }
}
