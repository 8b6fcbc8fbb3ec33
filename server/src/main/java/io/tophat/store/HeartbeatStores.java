package io.tophat.store;

import java.nio.file.Path;

/**
 * Where a process chooses its heartbeat engine, behind the one {@link HeartbeatStore} contract: SQLite files in
 * the data folder (the embedded default) or a PostgreSQL database that workers may share.
 */
public final class HeartbeatStores {
    private HeartbeatStores() {
    }

    /** The store {@code target} names: PostgreSQL, or SQLite in {@code dataDir} with {@code synchronous}. */
    public static HeartbeatStore open(StoreTarget target, Path dataDir, SqliteStoreConfig.Synchronous synchronous) {
        return target.isSqlite() ? sqlite(dataDir, synchronous) : PostgresHeartbeatStore.open(target.postgres());
    }

    /** The SQLite store in {@code dataDir} ({@code heartbeats.db} and its inbox beside it). */
    public static HeartbeatStore sqlite(Path dataDir, SqliteStoreConfig.Synchronous synchronous) {
        return SqliteHeartbeatStore.open(new SqliteStoreConfig(dataDir.resolve("heartbeats.db"), synchronous,
                SqliteStoreConfig.DEFAULT_READ_CONNECTIONS));
    }
}
