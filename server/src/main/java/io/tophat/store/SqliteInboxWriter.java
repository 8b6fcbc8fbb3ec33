package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The ingest writer: the only connection that writes the inbox. Each batch is one transaction that appends the
 * rows and deletes up to {@value #TRIM_CHUNK} rows the merger has moved into the history. After the merger has
 * copied the inbox's WAL, the writer copies the few pages it appended meanwhile, so the WAL starts over.
 */
final class SqliteInboxWriter {
    private static final Logger log = LoggerFactory.getLogger(SqliteInboxWriter.class);
    /** Merged rows deleted from the inbox at most per append, so no append takes long. */
    private static final int TRIM_CHUNK = 2048;

    private static final String INSERT_INBOX = "INSERT INTO inbox (" + SqliteRows.COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String LAST_INBOX_ID = "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'inbox'), 0)";
    private static final String FIRST_INBOX_ID = "SELECT coalesce(min(id), 0) - 1 FROM inbox";
    private static final String TRIM_INBOX = "DELETE FROM inbox WHERE id <= ?";
    private static final String FINISH_INBOX_WAL = "PRAGMA wal_checkpoint(PASSIVE)";
    private static final String SELECT_INBOX_TAIL =
            "SELECT id, producer, label, coalesce(device_time, received_at), seq FROM inbox WHERE id > ? ORDER BY id";

    private final Connection connection;
    private final Path inboxFile;
    private final SqliteFailures failures;
    private final InboxIndex index;
    private final AtomicBoolean walCopied;
    private final Object lock = new Object();
    /** The inbox id through which merged rows are deleted. */
    private long trimmedThrough;
    private boolean closed;

    /** @param walCopied set by the merger once it has copied the inbox's WAL; the writer then copies the rest */
    SqliteInboxWriter(Connection connection, Path inboxFile, SqliteFailures failures, InboxIndex index,
                      AtomicBoolean walCopied) {
        this.connection = connection;
        this.inboxFile = inboxFile;
        this.failures = failures;
        this.index = index;
        this.walCopied = walCopied;
    }

    /** Reads what the inbox holds beyond the merged rows into the index: the last id and every unmerged row. */
    void recover() throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(LAST_INBOX_ID)) {
            rs.next();
            index.appendedThrough(Math.max(rs.getLong(1), index.mergedThrough()));
        }
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(FIRST_INBOX_ID)) {
            rs.next();
            trimmedThrough = rs.getLong(1);
        }
        try (PreparedStatement st = connection.prepareStatement(SELECT_INBOX_TAIL)) {
            st.setLong(1, index.mergedThrough());
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(5);
                    index.add(rs.getString(2), rs.getString(3),
                            new InboxRef(rs.getLong(1), rs.getLong(4), rs.wasNull() ? null : seq));
                }
            }
        }
    }

    /** Returns the inbox id of the batch's first row; the others follow it. */
    long append(List<Heartbeat> batch) {
        synchronized (lock) {
            if (closed) {
                throw failures.other("append to", "the store is closed", "the store is closed", null);
            }
            long last;
            long trimmed;
            try (Statement transaction = connection.createStatement()) {
                transaction.execute("BEGIN IMMEDIATE");
                try {
                    try (PreparedStatement st = connection.prepareStatement(INSERT_INBOX)) {
                        for (Heartbeat hb : batch) {
                            SqliteRows.bind(st, hb);
                            st.addBatch();
                        }
                        st.executeBatch();
                    }
                    try (ResultSet rs = transaction.executeQuery(LAST_INBOX_ID)) {
                        rs.next();
                        last = rs.getLong(1);
                    }
                    trimmed = trimMerged();
                    transaction.execute("COMMIT");
                } catch (SQLException | RuntimeException e) {
                    SqliteRows.rollback(transaction, e);
                    throw e;
                }
            } catch (SQLException e) {
                throw failures.translate("append " + batch.size() + " heartbeats to", e);
            }
            long first = last - batch.size() + 1;
            long id = first - 1;
            for (Heartbeat hb : batch) {
                index.add(hb.producer(), hb.location().label(), new InboxRef(++id, hb.time(), hb.seq()));
            }
            index.appendedThrough(last);
            trimmedThrough = trimmed;
            if (walCopied.compareAndSet(true, false)) {
                finishInboxCheckpoint();
            }
            return first;
        }
    }

    /**
     * Copies the few inbox pages written since the merger's checkpoint. Only the writer appends to the inbox, so
     * its WAL is then wholly copied and its next transaction starts the WAL over (unless a reader still uses it;
     * then at a later round). Never fails the append: its rows are committed already.
     */
    private void finishInboxCheckpoint() {
        try (Statement st = connection.createStatement()) {
            st.execute(FINISH_INBOX_WAL);
        } catch (SQLException e) {
            log.warn("could not checkpoint the inbox {} (its WAL grows until a later checkpoint works): {}",
                    inboxFile, e.getMessage());
        }
    }

    /** Deletes up to {@link #TRIM_CHUNK} merged rows in the open transaction; returns the new mark. */
    private long trimMerged() throws SQLException {
        long upTo = Math.min(index.mergedThrough(), trimmedThrough + TRIM_CHUNK);
        if (upTo <= trimmedThrough) {
            return trimmedThrough;
        }
        try (PreparedStatement st = connection.prepareStatement(TRIM_INBOX)) {
            st.setLong(1, upTo);
            st.executeUpdate();
        }
        return upTo;
    }

    /** Refuses further appends, after the one being written; false when it was closed already. */
    boolean close() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        }
    }
}
