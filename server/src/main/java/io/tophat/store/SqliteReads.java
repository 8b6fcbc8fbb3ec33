package io.tophat.store;

import io.tophat.protocol.Heartbeat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The store's reads, on the read pool: the unmerged inbox rows the {@link InboxIndex} names, then the history,
 * so that nothing acknowledged is ever invisible and a row merged in between is counted once.
 */
final class SqliteReads {
    private static final String READ_COLUMNS = HeartbeatRows.READ_COLUMNS;
    private static final String SELECT_INBOX_ROW = "SELECT " + READ_COLUMNS + " FROM ib.inbox WHERE id = ?";
    private static final String INBOX_TIME = "coalesce(i.device_time, i.received_at)";
    private static final String INBOX_SEQ = "coalesce(i.seq, 9223372036854775807)";
    private static final String HISTORY_SEQ = "coalesce(seq, 9223372036854775807)";
    private static final String HISTORY_KEY = "coalesce(inbox_id, -id)";
    // ?1: a JSON array of the producer's unmerged inbox ids. A row whose (producer, seq) is already in the
    // history is a retry the merge will drop: it is not part of the history; nor is one whose seq an earlier
    // unmerged row has (UNMERGED_RETRIES).
    private static final String INBOX_HISTORY = "SELECT " + prefixed("i.") + ", " + INBOX_TIME + ", " + INBOX_SEQ
            + ", i.id FROM ib.inbox i WHERE i.id IN (SELECT value FROM json_each(?1)) AND " + INBOX_TIME + " >= ?2"
            + " AND " + INBOX_TIME + " < ?3 AND (" + INBOX_TIME + ", " + INBOX_SEQ + ", i.id) %s (?4, ?7, ?5)"
            + " AND (i.seq IS NULL OR NOT EXISTS (SELECT 1 FROM heartbeats h WHERE h.producer = i.producer"
            + " AND h.seq = i.seq))"
            + " ORDER BY " + INBOX_TIME + " %s, " + INBOX_SEQ + " %s, i.id %s LIMIT ?6";
    private static final String HISTORY = "SELECT " + READ_COLUMNS + ", time, " + HISTORY_SEQ + ", " + HISTORY_KEY
            + ", inbox_id FROM heartbeats WHERE producer = ?1 AND time >= ?2 AND time < ?3 AND (time, " + HISTORY_SEQ
            + ", " + HISTORY_KEY + ") %s (?4, ?7, ?5) ORDER BY time %s, " + HISTORY_SEQ + " %s, " + HISTORY_KEY
            + " %s LIMIT ?6";
    private static final String UNMERGED_RETRIES = "SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY seq"
            + " ORDER BY id) AS n FROM ib.inbox WHERE id IN (SELECT value FROM json_each(?)) AND seq IS NOT NULL)"
            + " WHERE n > 1";
    private static final String[] INBOX_HISTORY_BY_ORDER = {ordered(INBOX_HISTORY, false), ordered(INBOX_HISTORY, true)};
    private static final String[] HISTORY_BY_ORDER = {ordered(HISTORY, false), ordered(HISTORY, true)};
    private static final String PRODUCERS = "SELECT producer, coalesce(device_time, received_at) FROM latest"
            + " WHERE producer > ? AND coalesce(device_time, received_at) >= ? ORDER BY producer LIMIT ?";
    private static final String LATEST_POSITIONS = "SELECT producer, lat, lon, coalesce(device_time, received_at)"
            + " FROM latest WHERE lat IS NOT NULL AND lon IS NOT NULL";
    // ?1: a JSON array of seqs
    private static final String STORED_SEQS = "SELECT seq FROM heartbeats WHERE producer = ?2 AND seq IN"
            + " (SELECT value FROM json_each(?1)) UNION SELECT seq FROM ib.inbox WHERE id IN (SELECT value FROM"
            + " json_each(?3)) AND seq IN (SELECT value FROM json_each(?1))";
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

    // ?1: the key after which, ?2: null for every producer, else a JSON array of ids, ?3: the limit. A retry is
    // left out: the merge drops it (its (producer, seq) is in the history already).
    private static final String INBOX_COMMITTED = "SELECT " + prefixed("i.") + ", " + INBOX_TIME + ", " + INBOX_SEQ
            + ", i.id FROM ib.inbox i WHERE i.id > ?1 AND (?2 IS NULL OR i.producer IN (SELECT value FROM json_each(?2)))"
            + " AND (i.seq IS NULL OR NOT EXISTS (SELECT 1 FROM heartbeats h WHERE h.producer = i.producer"
            + " AND h.seq = i.seq)) ORDER BY i.id LIMIT ?3";
    private static final String HISTORY_COMMITTED = "SELECT " + READ_COLUMNS + ", time, " + HISTORY_SEQ
            + ", inbox_id FROM heartbeats WHERE inbox_id > ?1 AND (?2 IS NULL OR producer IN (SELECT value FROM"
            + " json_each(?2))) ORDER BY inbox_id LIMIT ?3";

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
                merged = HeartbeatRows.first(st);
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
            return HeartbeatRows.first(st);
        }
    }

    private static String prefixed(String alias) {
        return alias + READ_COLUMNS.replace(", ", ", " + alias);
    }

    private static String ordered(String sql, boolean descending) {
        String dir = descending ? "DESC" : "ASC";
        return String.format(sql, descending ? "<" : ">", dir, dir, dir);
    }

    /**
     * One page of history: the producer's unmerged inbox rows and its history rows in the range, after the
     * position, merged in order. The inbox is read first, then the history, so a row merged in between is seen
     * twice (and kept once, by the inbox id it came from), never missed.
     */
    List<StoredHeartbeat> history(HistoryQuery q) {
        if (q.from() >= q.to()) {
            return List.of();
        }
        String unmergedIds = index.unmergedJson(q.producer(), index.mergedThrough());
        int order = q.descending() ? 1 : 0;
        long edge = q.descending() ? Long.MAX_VALUE : Long.MIN_VALUE;
        HistoryQuery.Position after = q.after() != null ? q.after() : new HistoryQuery.Position(edge, edge, edge);
        return readers.read("read the history of " + q.producer() + " from", c -> {
            List<Row> unmerged = unmergedIds == null ? List.of()
                    : rows(c, INBOX_HISTORY_BY_ORDER[order], unmergedIds, q, after, true);
            Set<Long> retries = unmerged.isEmpty() ? Set.of() : unmergedRetries(c, unmergedIds);
            List<Row> rows = rows(c, HISTORY_BY_ORDER[order], q.producer(), q, after, false);
            Set<Long> mergedInboxIds = new HashSet<>(retries);
            for (Row r : rows) {
                if (r.inboxId() != null) {
                    mergedInboxIds.add(r.inboxId());
                }
            }
            for (Row r : unmerged) {
                if (!mergedInboxIds.contains(r.inboxId())) {
                    rows.add(r);
                }
            }
            Comparator<Row> byPosition = Comparator.comparing(r -> r.stored().position());
            rows.sort(q.descending() ? byPosition.reversed() : byPosition);
            List<StoredHeartbeat> page = new ArrayList<>(Math.min(q.limit(), rows.size()));
            HistoryQuery.Position previous = null;
            for (int i = 0; i < rows.size() && page.size() < q.limit(); i++) {
                HistoryQuery.Position at = rows.get(i).stored().position();
                boolean retry = previous != null && at.seq() != HistoryQuery.Position.NO_SEQ
                        && at.time() == previous.time() && at.seq() == previous.seq();
                if (!retry) {
                    page.add(rows.get(i).stored());
                    previous = at;
                }
            }
            return page;
        });
    }

    /**
     * Heartbeats committed after {@code afterKey}, in commit order: unmerged inbox rows first, then the history's
     * merged rows, as {@link #history} reads them, so a row merged in between is seen twice (kept once, by its
     * inbox id) and never missed; the two lists together hold every key up to the page's last one.
     */
    List<StoredHeartbeat> committedAfter(long afterKey, Set<String> producers, int limit) {
        String only = producers == null ? null : jsonArray(producers);
        return readers.read("read the heartbeats committed after " + afterKey + " from", c -> {
            java.util.TreeMap<Long, StoredHeartbeat> byKey = new java.util.TreeMap<>();
            committed(c, INBOX_COMMITTED, afterKey, only, limit, byKey);
            committed(c, HISTORY_COMMITTED, afterKey, only, limit, byKey);
            List<StoredHeartbeat> page = new ArrayList<>(Math.min(limit, byKey.size()));
            Set<String> seqsSeen = new HashSet<>();
            for (StoredHeartbeat hb : byKey.values()) {
                if (page.size() == limit) {
                    break;
                }
                Long seq = hb.heartbeat().seq();
                // two unmerged rows of one (producer, seq): the later is a retry the merge drops
                if (seq == null || seqsSeen.add(hb.heartbeat().producer() + '\n' + seq)) {
                    page.add(hb);
                }
            }
            return page;
        });
    }

    private static void committed(Connection c, String sql, long afterKey, String only, int limit,
                                  Map<Long, StoredHeartbeat> into) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.setLong(1, afterKey);
            st.setString(2, only);
            st.setInt(3, limit);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    HistoryQuery.Position at = new HistoryQuery.Position(rs.getLong(8), rs.getLong(9), rs.getLong(10));
                    into.putIfAbsent(at.key(), new StoredHeartbeat(HeartbeatRows.heartbeat(rs), at));
                }
            }
        }
    }

    /** Producer ids hold no character JSON escapes, so each is its text in quotes. */
    private static String jsonArray(Set<String> ids) {
        StringBuilder json = new StringBuilder(ids.size() * 20 + 2).append('[');
        for (String id : ids) {
            json.append(json.length() > 1 ? ",\"" : "\"").append(id).append('"');
        }
        return json.append(']').toString();
    }

    /** The latest table's producers, with those whose newest heartbeat is still in the inbox, by id. */
    List<ProducerSeen> producers(String afterId, long seenSince, int limit) {
        String after = afterId == null ? "" : afterId;
        java.util.TreeMap<String, Long> seen = new java.util.TreeMap<>();
        index.newestByProducer((producer, ref) -> {
            if (producer.compareTo(after) > 0 && ref.time() >= seenSince) {
                seen.merge(producer, ref.time(), Math::max);
            }
        });
        List<ProducerSeen> stored = readers.read("list the producers in", c -> {
            try (PreparedStatement st = c.prepareStatement(PRODUCERS)) {
                st.setString(1, after);
                st.setLong(2, seenSince);
                st.setInt(3, limit);
                List<ProducerSeen> rows = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new ProducerSeen(rs.getString(1), rs.getLong(2)));
                    }
                }
                return rows;
            }
        });
        String cut = stored.size() == limit ? stored.get(stored.size() - 1).producer() : null;
        stored.forEach(p -> seen.merge(p.producer(), p.lastSeen(), Math::max));
        List<ProducerSeen> page = new ArrayList<>(limit);
        for (Map.Entry<String, Long> e : seen.entrySet()) {
            if (page.size() == limit || (cut != null && e.getKey().compareTo(cut) > 0)) {
                break;
            }
            page.add(new ProducerSeen(e.getKey(), e.getValue()));
        }
        return page;
    }

    /** The unmerged rows among {@code unmergedIds} that repeat the seq of an earlier one: retries the merge drops. */
    private static Set<Long> unmergedRetries(Connection c, String unmergedIds) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(UNMERGED_RETRIES)) {
            st.setString(1, unmergedIds);
            Set<Long> ids = new HashSet<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        }
    }

    /**
     * The latest table's positions, then those of the producers whose newest row is still in the inbox (each
     * producer's later position last, so a sink that keeps the newest ends right).
     */
    void eachLatestPosition(HeartbeatStore.PositionSink sink) {
        readers.read("read the latest positions from", c -> {
            try (PreparedStatement st = c.prepareStatement(LATEST_POSITIONS); ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    sink.position(rs.getString(1), rs.getDouble(2), rs.getDouble(3), rs.getLong(4));
                }
            }
            List<InboxRef> unmerged = new ArrayList<>();
            index.newestByProducer((producer, ref) -> unmerged.add(ref));
            for (InboxRef ref : unmerged) {
                Optional<Heartbeat> hb = inboxRow(c, ref.id());
                if (hb.isPresent() && hb.get().location().label() == null && hb.get().location().lat() != null) {
                    sink.position(hb.get().producer(), hb.get().location().lat(), hb.get().location().lon(),
                            hb.get().time());
                }
            }
            return null;
        });
    }

    /** Which of {@code seqs} the producer has stored already, merged or not. */
    Set<Long> storedSeqs(String producer, Collection<Long> seqs) {
        if (seqs.isEmpty()) {
            return Set.of();
        }
        String unmergedIds = index.unmergedJson(producer, index.mergedThrough());
        String seqJson = seqs.toString().replace(" ", "");
        return readers.read("look up stored seqs of " + producer + " in", c -> {
            try (PreparedStatement st = c.prepareStatement(STORED_SEQS)) {
                st.setString(1, seqJson);
                st.setString(2, producer);
                st.setString(3, unmergedIds == null ? "[]" : unmergedIds);
                Set<Long> stored = new HashSet<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        stored.add(rs.getLong(1));
                    }
                }
                return stored;
            }
        });
    }

    /** A heartbeat at its position, with the inbox id it has or came from (null for rows older than the inbox). */
    private record Row(StoredHeartbeat stored, Long inboxId) {
    }

    /** {@code key}: the producer for the history, the JSON array of its unmerged ids for the inbox. */
    private static List<Row> rows(Connection c, String sql, String key, HistoryQuery q, HistoryQuery.Position after,
                                  boolean inbox) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            // the position narrows the time range too, so that the index scan starts there, not at the range's edge
            long from = q.descending() ? q.from() : Math.max(q.from(), after.time());
            long to = !q.descending() ? q.to() : Math.min(q.to(), after.time() == Long.MAX_VALUE ? Long.MAX_VALUE
                    : after.time() + 1);
            st.setString(1, key);
            st.setLong(2, from);
            st.setLong(3, to);
            st.setLong(4, after.time());
            st.setLong(5, after.key());
            st.setInt(6, q.limit());
            st.setLong(7, after.seq());
            List<Row> rows = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    HistoryQuery.Position at = new HistoryQuery.Position(rs.getLong(8), rs.getLong(9), rs.getLong(10));
                    Long inboxId = inbox ? Long.valueOf(rs.getLong(10)) : HeartbeatRows.nullableLong(rs, 11);
                    rows.add(new Row(new StoredHeartbeat(HeartbeatRows.heartbeat(rs), at), inboxId));
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
