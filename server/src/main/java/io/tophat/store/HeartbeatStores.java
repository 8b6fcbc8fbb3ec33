package io.tophat.store;

import java.nio.file.Path;

/**
 * Where a process chooses its heartbeat engine. Today the embedded default only: SQLite files in the data
 * folder; a server engine plugs in here, behind the same {@link HeartbeatStore} contract.
 */
public final class HeartbeatStores {
    private HeartbeatStores() {
    }

    /** The SQLite store in {@code dataDir} ({@code heartbeats.db} and its inbox beside it). */
    public static HeartbeatStore sqlite(Path dataDir, SqliteStoreConfig.Synchronous synchronous) {
        return SqliteHeartbeatStore.open(new SqliteStoreConfig(dataDir.resolve("heartbeats.db"), synchronous,
                SqliteStoreConfig.DEFAULT_READ_CONNECTIONS));
    }
}
