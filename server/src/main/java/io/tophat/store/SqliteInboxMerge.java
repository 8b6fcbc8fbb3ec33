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
    private static final String MERGE_HISTORY = "INSERT INTO heartbeats (inbox_id, time, " + SqliteRows.COLUMNS + ")"
            + " SELECT id, coalesce(device_time, received_at), " + SqliteRows.COLUMNS + " FROM ib.inbox WHERE id > ?1 AND id <= ?2 ORDER BY producer, received_at"
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
    private static final String ERASE_HISTORY = "DELETE FROM heartbeats WHERE producer = ?";
    private static final String ERASE_LATEST = "DELETE FROM latest WHERE producer = ?";
    private static final String ERASE_UNMERGED = "DELETE FROM ib.inbox WHERE id IN (SELECT value FROM json_each(?))";
    // merged rows the ingest writer has not deleted yet: no read sees them, but they are the producer's data
    private static final String ERASE_INBOX = "DELETE FROM ib.inbox WHERE producer = ?";
    private static final String EXPIRE_HISTORY = "DELETE FROM heartbeats WHERE id IN"
            + " (SELECT id FROM heartbeats WHERE time < ? LIMIT ?)";
    private static final String EXPIRE_LATEST = "DELETE FROM latest WHERE coalesce(device_time, received_at) < ?";
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
     * Deletes every heartbeat of the producer, in one transaction between merges: history, latest, and its rows
     * in the inbox, merged or not. Returns how many heartbeats were deleted (history rows and unmerged rows).
     */
    long erase(String producer) {
        synchronized (lock) {
            String unmerged = index.unmergedJson(producer, index.mergedThrough());
            long deleted;
            try (Statement transaction = connection.createStatement()) {
                transaction.execute("BEGIN");
                try {
                    deleted = update(ERASE_HISTORY, producer);
                    update(ERASE_LATEST, producer);
                    deleted += unmerged == null ? 0 : update(ERASE_UNMERGED, unmerged);
                    update(ERASE_INBOX, producer);
                    transaction.execute("COMMIT");
                } catch (SQLException | RuntimeException e) {
                    SqliteRows.rollback(transaction, e);
                    throw e;
                }
            } catch (SQLException e) {
                throw failures.reported("erase producer " + producer + " from", e);
            }
            index.forget(producer);
            return deleted;
        }
    }

    /**
     * Deletes up to {@code maxRows} history rows older than {@code cutoffMillis} (by their time) in one short
     * transaction; with {@code latestToo}, also the latest records older than that. Returns the history rows
     * deleted.
     */
    long expire(long cutoffMillis, int maxRows, boolean latestToo) {
        synchronized (lock) {
            try (Statement transaction = connection.createStatement()) {
                transaction.execute("BEGIN");
                try {
                    long deleted;
                    try (PreparedStatement st = connection.prepareStatement(EXPIRE_HISTORY)) {
                        st.setLong(1, cutoffMillis);
                        st.setInt(2, maxRows);
                        deleted = st.executeUpdate();
                    }
                    if (latestToo) {
                        try (PreparedStatement st = connection.prepareStatement(EXPIRE_LATEST)) {
                            st.setLong(1, cutoffMillis);
                            st.executeUpdate();
                        }
                    }
                    transaction.execute("COMMIT");
                    return deleted;
                } catch (SQLException | RuntimeException e) {
                    SqliteRows.rollback(transaction, e);
                    throw e;
                }
            } catch (SQLException e) {
                throw failures.translate("delete expired history from", e);
            }
        }
    }

    private int update(String sql, String parameter) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            st.setString(1, parameter);
            return st.executeUpdate();
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
