package io.tophat.store;

import io.tophat.protocol.Heartbeat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The store's reads, on the read pool: the unmerged inbox rows the {@link InboxIndex} names, then the history,
 * so that nothing acknowledged is ever invisible and a row merged in between is counted once.
 */
final class SqliteReads {
    private static final String READ_COLUMNS = SqliteRows.READ_COLUMNS;
    private static final String SELECT_INBOX_ROW = "SELECT " + READ_COLUMNS + " FROM ib.inbox WHERE id = ?";
    // ?1: a JSON array of the producer's unmerged inbox ids
    private static final String SELECT_INBOX_HISTORY = "SELECT " + READ_COLUMNS + ", id FROM ib.inbox"
            + " WHERE id IN (SELECT value FROM json_each(?)) AND received_at >= ? AND received_at < ?"
            + " ORDER BY received_at, id LIMIT ?";
    private static final String SELECT_LATEST = "SELECT " + READ_COLUMNS + " FROM latest WHERE producer = ?";
    private static final String SELECT_LATEST_AT_LABEL = "SELECT " + READ_COLUMNS + " FROM heartbeats"
            + " WHERE label = ? ORDER BY coalesce(device_time, received_at) DESC, id DESC LIMIT 1";
    private static final String SELECT_HISTORY = "SELECT " + READ_COLUMNS + ", inbox_id FROM heartbeats"
            + " WHERE producer = ? AND received_at >= ? AND received_at < ? ORDER BY received_at, id LIMIT ?";
    // Inbox rows not merged yet, a retried (producer, seq) counted once and not at all when already merged.
    private static final String COUNT_ALL = "SELECT (SELECT count(*) FROM heartbeats) + (SELECT count(*) FROM"
            + " (SELECT producer, seq FROM ib.inbox WHERE id > ? GROUP BY producer, coalesce(seq, -id)) g"
            + " WHERE g.seq IS NULL OR NOT EXISTS (SELECT 1 FROM heartbeats h WHERE h.producer = g.producer"
            + " AND h.seq = g.seq))";

    private final SqliteReadPool readers;
    private final InboxIndex index;

    SqliteReads(SqliteReadPool readers, InboxIndex index) {
        this.readers = readers;
        this.index = index;
    }

    Optional<Heartbeat> latest(String producer) {
        return newestOf(index.newest(producer), SELECT_LATEST, producer,
                "read the latest heartbeat of " + producer + " from");
    }

    Optional<Heartbeat> latestAtLabel(String label) {
        return newestOf(index.atLabel(label), SELECT_LATEST_AT_LABEL, label,
                "read the latest heartbeat at location '" + label + "' from");
    }

    /** The newer of the unmerged inbox row (if any) and what the history holds; a retry never wins. */
    private Optional<Heartbeat> newestOf(InboxRef ref, String historySql, String key, String action) {
        return readers.read(action, c -> {
            Optional<Heartbeat> recent = ref == null ? Optional.empty() : inboxRow(c, ref.id());
            Optional<Heartbeat> merged;
            try (PreparedStatement st = c.prepareStatement(historySql)) {
                st.setString(1, key);
                merged = SqliteRows.first(st);
            }
            if (recent.isEmpty() || merged.isEmpty()) {
                return recent.isPresent() ? recent : merged;
            }
            InboxRef held = new InboxRef(0, merged.get().time(), merged.get().seq());
            return ref.supersedes(held) ? recent : merged;
        });
    }

    private static Optional<Heartbeat> inboxRow(Connection c, long id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(SELECT_INBOX_ROW)) {
            st.setLong(1, id);
            return SqliteRows.first(st);
        }
    }

    /**
     * Reads the inbox first, then the history: a row merged in between is then seen twice (and counted once, by
     * its inbox id), never missed.
     */
    List<Heartbeat> history(String producer, long fromMillis, long toMillis, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit is " + limit + "; it must not be negative");
        }
        if (limit == 0 || fromMillis >= toMillis) {
            return List.of();
        }
        String unmergedIds = index.unmergedJson(producer, index.mergedThrough());
        return readers.read("read the history of " + producer + " from", c -> {
            List<Row> unmerged = unmergedIds == null ? List.of()
                    : rows(c, SELECT_INBOX_HISTORY, unmergedIds, fromMillis, toMillis, limit);
            List<Row> rows = rows(c, SELECT_HISTORY, producer, fromMillis, toMillis, limit);
            Set<Long> mergedInboxIds = new HashSet<>();
            Set<Long> seqs = new HashSet<>();
            for (Row r : rows) {
                mergedInboxIds.add(r.inboxId());
                seqs.add(r.heartbeat().seq());
            }
            for (Row r : unmerged) {
                boolean merging = mergedInboxIds.contains(r.inboxId());
                boolean retry = r.heartbeat().seq() != null && !seqs.add(r.heartbeat().seq());
                if (!merging && !retry) {
                    rows.add(r);
                }
            }
            rows.sort(Comparator.comparingLong((Row r) -> r.heartbeat().receivedAt()));
            List<Heartbeat> result = new ArrayList<>(Math.min(limit, rows.size()));
            for (int i = 0; i < rows.size() && i < limit; i++) {
                result.add(rows.get(i).heartbeat());
            }
            return result;
        });
    }

    /** A heartbeat with the inbox id it has, or came from (null for rows older than the inbox). */
    private record Row(Heartbeat heartbeat, Long inboxId) {
    }

    /** {@code key}: the producer for the history, the JSON array of its unmerged ids for the inbox. */
    private static List<Row> rows(Connection c, String sql, String key, long from, long to, int limit)
            throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            int i = 1;
            st.setString(i++, key);
            st.setLong(i++, from);
            st.setLong(i++, to);
            st.setInt(i, limit);
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(SqliteRows.heartbeat(rs), SqliteRows.nullableLong(rs, 8)));
                }
            }
            return rows;
        }
    }

    /** Counts every heartbeat, merged or not: full scans, so not for a hot path. */
    long historySize() {
        long merged = index.mergedThrough();
        return readers.read("count the history in", c -> {
            try (PreparedStatement st = c.prepareStatement(COUNT_ALL)) {
                st.setLong(1, merged);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
