package io.tophat.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One merge step, run by the {@link SqliteMerger} thread on the history's writer connection: moves the oldest
 * unmerged inbox rows into the history and the latest table in one transaction, sorted by producer, then
 * checkpoints the inbox's WAL without blocking the ingest writer.
 */
final class SqliteInboxMerge {
    private static final String MERGE_HISTORY = "INSERT INTO heartbeats (inbox_id, " + SqliteRows.COLUMNS + ")"
            + " SELECT id, " + SqliteRows.COLUMNS + " FROM ib.inbox WHERE id > ?1 AND id <= ?2 ORDER BY producer, received_at"
            + " ON CONFLICT (producer, seq) WHERE seq IS NOT NULL DO NOTHING";
    // ?1: a JSON array of the inbox ids that are their producer's newest unmerged row (a retry never is one).
    private static final String MERGE_LATEST = "INSERT INTO latest (" + SqliteRows.COLUMNS + ")"
            + " SELECT " + SqliteRows.COLUMNS + " FROM ib.inbox WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY producer"
            + " ON CONFLICT (producer) DO UPDATE SET received_at = excluded.received_at, seq = excluded.seq,"
            + " device_time = excluded.device_time, location = excluded.location, lat = excluded.lat,"
            + " lon = excluded.lon, label = excluded.label, data = excluded.data, ip_address = excluded.ip_address"
            // by the heartbeat's time (device_time, else received_at), a tie to the later arrival; a retry never
            + " WHERE coalesce(excluded.device_time, excluded.received_at) >= coalesce(latest.device_time, latest.received_at)"
            + " AND (excluded.seq IS NULL OR latest.seq IS NULL OR excluded.seq <> latest.seq)";
    private static final String MARK_MERGED = "UPDATE store_info SET merged_through = ? WHERE id = 1";
    private static final String COPY_INBOX_WAL = "PRAGMA ib.wal_checkpoint(PASSIVE)";

    private final Connection connection;
    private final SqliteFailures failures;
    private final InboxIndex index;
    private final AtomicBoolean walCopied;
    private final Object lock = new Object();

    SqliteInboxMerge(Connection connection, SqliteFailures failures, InboxIndex index, AtomicBoolean walCopied) {
        this.connection = connection;
        this.failures = failures;
        this.index = index;
        this.walCopied = walCopied;
    }

    /** Merges up to {@code maxRows} of the oldest unmerged rows; returns how many inbox ids were merged. */
    long mergeNext(int maxRows) {
        synchronized (lock) {
            long from = index.mergedThrough();
            long to = Math.min(index.lastAppended(), from + maxRows);
            if (to <= from) {
                return 0;
            }
            try (Statement transaction = connection.createStatement()) {
                // Deferred, not IMMEDIATE: IMMEDIATE would also lock the attached inbox against the ingest writer.
                transaction.execute("BEGIN");
                try {
                    try (PreparedStatement st = connection.prepareStatement(MERGE_HISTORY)) {
                        st.setLong(1, from);
                        st.setLong(2, to);
                        st.executeUpdate();
                    }
                    try (PreparedStatement st = connection.prepareStatement(MERGE_LATEST)) {
                        st.setString(1, index.newestIdsIn(from, to));
                        st.executeUpdate();
                    }
                    try (PreparedStatement st = connection.prepareStatement(MARK_MERGED)) {
                        st.setLong(1, to);
                        st.executeUpdate();
                    }
                    transaction.execute("COMMIT");
                } catch (SQLException | RuntimeException e) {
                    SqliteRows.rollback(transaction, e);
                    throw e;
                }
            } catch (SQLException e) {
                throw failures.translate("merge the inbox into", e);
            }
            index.mergedThrough(to);
            checkpointInbox();
            return to - from;
        }
    }

    /**
     * Copies the inbox's WAL into its file without blocking the ingest writer, then asks the writer to copy what
     * it appended meanwhile, so that the WAL stays a few merges long.
     */
    private void checkpointInbox() {
        try (Statement st = connection.createStatement()) {
            st.execute(COPY_INBOX_WAL);
            st.execute(COPY_INBOX_WAL); // the pages appended during the first pass, so that the writer's share is small
            walCopied.set(true);
        } catch (SQLException e) {
            throw failures.translate("checkpoint the inbox of", e);
        }
    }
}
