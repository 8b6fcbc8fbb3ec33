package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.Location;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded engine: two SQLite files in WAL mode. Every batch is committed to the <em>inbox</em> file, an
 * append-only table without indexes, so a commit writes a few sequential pages and the writer keeps up with
 * the network. A {@link SqliteMerger} thread moves the inbox into the <em>history</em> file (every heartbeat,
 * indexed by (producer, time); the latest per producer; idempotence on (producer, seq)) in large batches sorted
 * by producer, which touch each index page once per batch instead of once per row. The ingest writer, the only
 * connection that writes the inbox, deletes merged rows a chunk at a time inside its own transactions, and the
 * merger checkpoints the inbox's WAL, so the writer neither waits for a lock nor copies pages at commit.
 * Reads look at the inbox first, then the history, so nothing acknowledged is ever invisible.
 * Schemas in {@code db/heartbeats/sqlite} and {@code db/heartbeats/sqlite-inbox} (Flyway).
 */
public final class SqliteHeartbeatStore implements HeartbeatStore {

    private static final Logger log = LoggerFactory.getLogger(SqliteHeartbeatStore.class);
    /** Merged rows the ingest writer deletes from the inbox at most per append, so no append takes long. */
    private static final int TRIM_CHUNK = 2048;

    private static final String COLUMNS =
            "producer, received_at, seq, device_time, location, lat, lon, label, data, ip_address";
    private static final String INSERT_INBOX = "INSERT INTO inbox (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String LAST_INBOX_ID = "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'inbox'), 0)";

    private static final String MERGE_HISTORY = "INSERT INTO heartbeats (inbox_id, " + COLUMNS + ")"
            + " SELECT id, " + COLUMNS + " FROM ib.inbox WHERE id > ?1 AND id <= ?2 ORDER BY producer, received_at"
            + " ON CONFLICT (producer, seq) WHERE seq IS NOT NULL DO NOTHING";
    // ?1: a JSON array of the inbox ids that are their producer's newest unmerged row (a retry never is one).
    private static final String MERGE_LATEST = "INSERT INTO latest (" + COLUMNS + ")"
            + " SELECT " + COLUMNS + " FROM ib.inbox WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY producer"
            + " ON CONFLICT (producer) DO UPDATE SET received_at = excluded.received_at, seq = excluded.seq,"
            + " device_time = excluded.device_time, location = excluded.location, lat = excluded.lat,"
            + " lon = excluded.lon, label = excluded.label, data = excluded.data, ip_address = excluded.ip_address"
            + " WHERE excluded.received_at >= latest.received_at"
            + " AND (excluded.seq IS NULL OR latest.seq IS NULL OR excluded.seq > latest.seq)";
    private static final String MARK_MERGED = "UPDATE store_info SET merged_through = ? WHERE id = 1";
    private static final String TRIM_INBOX = "DELETE FROM inbox WHERE id <= ?";
    private static final String FIRST_INBOX_ID = "SELECT coalesce(min(id), 0) - 1 FROM inbox";
    private static final String COPY_INBOX_WAL = "PRAGMA ib.wal_checkpoint(PASSIVE)";
    private static final String FINISH_INBOX_WAL = "PRAGMA wal_checkpoint(PASSIVE)";

    private static final String READ_COLUMNS = "producer, location, data, ip_address, received_at, device_time, seq";
    private static final String SELECT_INBOX_ROW = "SELECT " + READ_COLUMNS + " FROM ib.inbox WHERE id = ?";
    // ?1: a JSON array of the producer's unmerged inbox ids
    private static final String SELECT_INBOX_HISTORY = "SELECT " + READ_COLUMNS + ", id FROM ib.inbox"
            + " WHERE id IN (SELECT value FROM json_each(?)) AND received_at >= ? AND received_at < ?"
            + " ORDER BY received_at, id LIMIT ?";
    private static final String SELECT_INBOX_TAIL =
            "SELECT id, producer, label, received_at, seq FROM inbox WHERE id > ? ORDER BY id";
    private static final String SELECT_LATEST = "SELECT " + READ_COLUMNS + " FROM latest WHERE producer = ?";
    private static final String SELECT_LATEST_AT_LABEL = "SELECT " + READ_COLUMNS + " FROM heartbeats"
            + " WHERE label = ? ORDER BY received_at DESC, id DESC LIMIT 1";
    private static final String SELECT_HISTORY = "SELECT " + READ_COLUMNS + ", inbox_id FROM heartbeats"
            + " WHERE producer = ? AND received_at >= ? AND received_at < ? ORDER BY received_at, id LIMIT ?";
    // Inbox rows not merged yet, a retried (producer, seq) counted once and not at all when already merged.
    private static final String COUNT_ALL = "SELECT (SELECT count(*) FROM heartbeats) + (SELECT count(*) FROM"
            + " (SELECT producer, seq FROM ib.inbox WHERE id > ? GROUP BY producer, coalesce(seq, -id)) g"
            + " WHERE g.seq IS NULL OR NOT EXISTS (SELECT 1 FROM heartbeats h WHERE h.producer = g.producer"
            + " AND h.seq = g.seq))";
    private static final String SELECT_INFO = "SELECT identity, merged_through FROM store_info WHERE id = 1";
    private static final String ATTACH_INBOX = "ATTACH DATABASE ? AS ib";

    private final Path file;
    private final Path inboxFile;
    private final SqliteFailures failures;
    private final Connection inboxWriter;
    private final Connection merger;
    private final SqliteReadPool readers;
    private final String identity;
    private final Object writeLock = new Object();
    private final Object mergeLock = new Object();
    /** The unmerged inbox rows of each producer (their ids and the newest of them). */
    private final Map<String, UnmergedRows> inboxByProducer = new ConcurrentHashMap<>();
    /** The newest unmerged inbox row at each location label. */
    private final Map<String, InboxRef> inboxByLabel = new ConcurrentHashMap<>();
    private final SqliteMerger mergerThread;
    private volatile long lastAppended;
    private volatile long mergedThrough;
    /** Set by the merger once it has copied the inbox's WAL into its file; the writer then copies the rest. */
    private volatile boolean inboxWalCopied;
    /** The inbox id through which merged rows are deleted; the ingest writer's own. */
    private long trimmedThrough;
    private boolean closed;

    private SqliteHeartbeatStore(Path file, Path inboxFile, SqliteFailures failures, Connection inboxWriter,
                                 Connection merger, SqliteReadPool readers, String identity, long mergedThrough) {
        this.file = file;
        this.inboxFile = inboxFile;
        this.failures = failures;
        this.inboxWriter = inboxWriter;
        this.merger = merger;
        this.readers = readers;
        this.identity = identity;
        this.mergedThrough = mergedThrough;
        this.mergerThread = new SqliteMerger(this);
    }

    /**
     * Opens the store in {@code config.file()} (the history) and its sibling {@code *-inbox.db}: creates the
     * files and their folders when missing, brings both schemas up to date, opens the connections and starts
     * the merger, which first finishes what a previous process left in the inbox.
     *
     * @throws StoreException naming the file and what to fix when it cannot be used
     */
    public static SqliteHeartbeatStore open(SqliteStoreConfig config) {
        Path file = config.file().toAbsolutePath().normalize();
        Path inboxFile = inboxFileOf(file);
        SqliteFailures failures = new SqliteFailures(file);
        SqliteConnections history = new SqliteConnections(file, SqliteConnections.HISTORY, config.synchronous(), failures);
        SqliteConnections inbox = new SqliteConnections(inboxFile, SqliteConnections.INBOX, config.synchronous(),
                new SqliteFailures(inboxFile));
        history.prepareFolder();
        List<Connection> opened = new ArrayList<>();
        try {
            Connection merger = history.openWriter();
            opened.add(merger);
            history.migrate();
            Connection inboxWriter = inbox.openWriter();
            opened.add(inboxWriter);
            inbox.migrate();
            attachInbox(merger, inboxFile);
            List<Connection> readConnections = new ArrayList<>();
            for (int i = 0; i < config.readConnections(); i++) {
                Connection reader = history.openReader();
                opened.add(reader);
                attachInbox(reader, inboxFile);
                readConnections.add(reader);
            }
            SqliteReadPool readers = new SqliteReadPool(readConnections, SqliteConnections.BUSY_TIMEOUT, failures);
            SqliteHeartbeatStore store;
            try (PreparedStatement st = merger.prepareStatement(SELECT_INFO); ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("store_info has no row; the schema was changed by hand");
                }
                store = new SqliteHeartbeatStore(file, inboxFile, failures, inboxWriter, merger, readers,
                        rs.getString(1), rs.getLong(2));
            }
            store.recoverInbox();
            store.mergerThread.start();
            log.info("Opened heartbeat store {} (identity {}, synchronous {}, {} read connections, {} heartbeats "
                    + "waiting in the inbox)", file, store.identity, config.synchronous(), config.readConnections(),
                    store.backlog());
            return store;
        } catch (SQLException e) {
            opened.forEach(SqliteConnections::closeQuietly);
            throw failures.translate("open the heartbeat store", e);
        } catch (RuntimeException e) {
            opened.forEach(SqliteConnections::closeQuietly);
            throw e;
        }
    }

    /** {@code heartbeats.db} keeps its inbox in {@code heartbeats-inbox.db} beside it. */
    static Path inboxFileOf(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        return file.resolveSibling(base + "-inbox" + (dot > 0 ? name.substring(dot) : ".db"));
    }

    private static void attachInbox(Connection connection, Path inboxFile) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(ATTACH_INBOX)) {
            st.setString(1, inboxFile.toString());
            st.execute();
        }
    }

    /** Reads what the inbox holds beyond the merged rows: the last id, and the index of unmerged rows. */
    private void recoverInbox() throws SQLException {
        try (Statement st = inboxWriter.createStatement(); ResultSet rs = st.executeQuery(LAST_INBOX_ID)) {
            rs.next();
            lastAppended = Math.max(rs.getLong(1), mergedThrough);
        }
        try (Statement st = inboxWriter.createStatement(); ResultSet rs = st.executeQuery(FIRST_INBOX_ID)) {
            rs.next();
            trimmedThrough = rs.getLong(1);
        }
        try (PreparedStatement st = inboxWriter.prepareStatement(SELECT_INBOX_TAIL)) {
            st.setLong(1, mergedThrough);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(5);
                    indexInbox(rs.getString(2), rs.getString(3),
                            new InboxRef(rs.getLong(1), rs.getLong(4), rs.wasNull() ? null : seq));
                }
            }
        }
    }

    private void indexInbox(String producer, String label, InboxRef ref) {
        inboxByProducer.compute(producer, (key, rows) -> (rows == null ? new UnmergedRows() : rows).add(ref));
        if (label != null) {
            inboxByLabel.merge(label, ref, (held, fresh) -> fresh.receivedAt() >= held.receivedAt() ? fresh : held);
        }
    }

    @Override
    public void append(List<Heartbeat> batch) {
        if (batch.isEmpty()) {
            return;
        }
        synchronized (writeLock) {
            if (closed) {
                throw failures.other("append to", "the store is closed", null);
            }
            long last;
            long trimmed;
            try (Statement transaction = inboxWriter.createStatement()) {
                transaction.execute("BEGIN IMMEDIATE");
                try {
                    try (PreparedStatement st = inboxWriter.prepareStatement(INSERT_INBOX)) {
                        for (Heartbeat hb : batch) {
                            bind(st, hb);
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
                    rollback(transaction, e);
                    throw e;
                }
            } catch (SQLException e) {
                throw failures.translate("append " + batch.size() + " heartbeats to", e);
            }
            long id = last - batch.size();
            for (Heartbeat hb : batch) {
                indexInbox(hb.producer(), hb.location().label(), new InboxRef(++id, hb.receivedAt(), hb.seq()));
            }
            lastAppended = last;
            trimmedThrough = trimmed;
            if (inboxWalCopied) {
                inboxWalCopied = false;
                finishInboxCheckpoint();
            }
        }
    }

    /**
     * Copies the few inbox pages written since the merger's checkpoint. Only the writer appends to the inbox, so
     * its WAL is then wholly copied and its next transaction starts the WAL over (unless a reader still uses it;
     * then at a later round). Never fails the append: its rows are committed already.
     */
    private void finishInboxCheckpoint() {
        try (Statement st = inboxWriter.createStatement()) {
            st.execute(FINISH_INBOX_WAL);
        } catch (SQLException e) {
            log.warn("could not checkpoint the inbox {} (its WAL grows until a later checkpoint works): {}",
                    inboxFile, e.getMessage());
        }
    }

    /** Deletes up to {@link #TRIM_CHUNK} merged rows in the writer's open transaction; returns the new mark. */
    private long trimMerged() throws SQLException {
        long upTo = Math.min(mergedThrough, trimmedThrough + TRIM_CHUNK);
        if (upTo <= trimmedThrough) {
            return trimmedThrough;
        }
        try (PreparedStatement st = inboxWriter.prepareStatement(TRIM_INBOX)) {
            st.setLong(1, upTo);
            st.executeUpdate();
        }
        return upTo;
    }

    private static void bind(PreparedStatement st, Heartbeat hb) throws SQLException {
        Location loc = hb.location();
        st.setString(1, hb.producer());
        st.setLong(2, hb.receivedAt());
        setNullableLong(st, 3, hb.seq());
        setNullableLong(st, 4, hb.deviceTime());
        st.setString(5, HeartbeatJson.encodeLocation(loc));
        setNullableDouble(st, 6, loc.label() == null ? loc.lat() : null);
        setNullableDouble(st, 7, loc.label() == null ? loc.lon() : null);
        st.setString(8, loc.label());
        st.setString(9, hb.data());
        st.setString(10, hb.ipAddress());
    }

    /** Heartbeats committed to the inbox and not yet merged into the history. */
    @Override
    public long backlog() {
        return lastAppended - mergedThrough;
    }

    /**
     * Moves up to {@code maxRows} of the oldest unmerged inbox rows into the history in one transaction, then
     * checkpoints the inbox's WAL. Returns how many inbox ids were merged. Called by the merger thread.
     */
    long mergeNext(int maxRows) {
        synchronized (mergeLock) {
            long from = mergedThrough;
            long to = Math.min(lastAppended, from + maxRows);
            if (to <= from) {
                return 0;
            }
            try (Statement transaction = merger.createStatement()) {
                // Deferred, not IMMEDIATE: IMMEDIATE would also lock the attached inbox against the ingest writer.
                transaction.execute("BEGIN");
                try {
                    try (PreparedStatement st = merger.prepareStatement(MERGE_HISTORY)) {
                        st.setLong(1, from);
                        st.setLong(2, to);
                        st.executeUpdate();
                    }
                    try (PreparedStatement st = merger.prepareStatement(MERGE_LATEST)) {
                        st.setString(1, newestIds(from, to));
                        st.executeUpdate();
                    }
                    try (PreparedStatement st = merger.prepareStatement(MARK_MERGED)) {
                        st.setLong(1, to);
                        st.executeUpdate();
                    }
                    transaction.execute("COMMIT");
                } catch (SQLException | RuntimeException e) {
                    rollback(transaction, e);
                    throw e;
                }
            } catch (SQLException e) {
                throw failures.translate("merge the inbox into", e);
            }
            mergedThrough = to;
            for (String producer : inboxByProducer.keySet()) {
                inboxByProducer.computeIfPresent(producer, (key, rows) -> rows.dropThrough(to) ? null : rows);
            }
            inboxByLabel.values().removeIf(ref -> ref.id() <= to);
            checkpointInbox();
            return to - from;
        }
    }

    /**
     * The inbox ids in {@code (from, to]} that are their producer's newest unmerged heartbeat, as a JSON array. A
     * producer whose newest row came after {@code to} gets its latest in a later merge; reads meanwhile find it
     * through {@link #inboxByProducer}.
     */
    private String newestIds(long from, long to) {
        StringBuilder ids = new StringBuilder(12 * inboxByProducer.size() + 2).append('[');
        for (UnmergedRows rows : inboxByProducer.values()) {
            InboxRef ref = rows.newest();
            if (ref.id() > from && ref.id() <= to) {
                ids.append(ids.length() > 1 ? "," : "").append(ref.id());
            }
        }
        return ids.append(']').toString();
    }

    /**
     * Copies the inbox's WAL into its file without blocking the ingest writer, then asks the writer to copy what
     * it appended meanwhile (see {@link #finishInboxCheckpoint}), so that the WAL stays a few merges long.
     */
    private void checkpointInbox() {
        try (Statement st = merger.createStatement()) {
            st.execute(COPY_INBOX_WAL);
            st.execute(COPY_INBOX_WAL); // the pages appended during the first pass, so that the writer's share is small
            inboxWalCopied = true;
        } catch (SQLException e) {
            throw failures.translate("checkpoint the inbox of", e);
        }
    }

    @Override
    public Optional<Heartbeat> latest(String producer) {
        UnmergedRows rows = inboxByProducer.get(producer);
        return newestOf(rows == null ? null : rows.newest(), SELECT_LATEST, producer,
                "read the latest heartbeat of " + producer + " from");
    }

    @Override
    public Optional<Heartbeat> latestAtLabel(String label) {
        return newestOf(inboxByLabel.get(label), SELECT_LATEST_AT_LABEL, label,
                "read the latest heartbeat at location '" + label + "' from");
    }

    /** The newer of the unmerged inbox row (if any) and what the history holds; a retry never wins. */
    private Optional<Heartbeat> newestOf(InboxRef ref, String historySql, String key, String action) {
        return readers.read(action, c -> {
            Optional<Heartbeat> recent = ref == null ? Optional.empty() : inboxRow(c, ref.id());
            Optional<Heartbeat> merged;
            try (PreparedStatement st = c.prepareStatement(historySql)) {
                st.setString(1, key);
                merged = first(st);
            }
            if (recent.isEmpty() || merged.isEmpty()) {
                return recent.isPresent() ? recent : merged;
            }
            InboxRef held = new InboxRef(0, merged.get().receivedAt(), merged.get().seq());
            return ref.supersedes(held) ? recent : merged;
        });
    }

    private static Optional<Heartbeat> inboxRow(Connection c, long id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(SELECT_INBOX_ROW)) {
            st.setLong(1, id);
            return first(st);
        }
    }

    /**
     * Reads the inbox first, then the history: a row merged in between is then seen twice (and counted once, by
     * its inbox id), never missed.
     */
    @Override
    public List<Heartbeat> history(String producer, long fromMillis, long toMillis, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit is " + limit + "; it must not be negative");
        }
        if (limit == 0 || fromMillis >= toMillis) {
            return List.of();
        }
        long merged = mergedThrough;
        UnmergedRows pending = inboxByProducer.get(producer);
        String unmergedIds = pending == null ? null : pending.jsonAfter(merged);
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
                    rows.add(new Row(heartbeat(rs), nullableLong(rs, 8)));
                }
            }
            return rows;
        }
    }

    /** Counts every heartbeat, merged or not: full scans, so not for a hot path. */
    @Override
    public long historySize() {
        long merged = mergedThrough;
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

    @Override
    public String identity() {
        return identity;
    }

    /** The absolute path of the history file. */
    public Path file() {
        return file;
    }

    private static Optional<Heartbeat> first(PreparedStatement st) throws SQLException {
        try (ResultSet rs = st.executeQuery()) {
            return rs.next() ? Optional.of(heartbeat(rs)) : Optional.empty();
        }
    }

    private static Heartbeat heartbeat(ResultSet rs) throws SQLException {
        return new Heartbeat(rs.getString(1), HeartbeatJson.decodeLocation(rs.getString(2)), rs.getString(3),
                rs.getString(4), rs.getLong(5), nullableLong(rs, 6), nullableLong(rs, 7));
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    private static void setNullableLong(PreparedStatement st, int index, Long value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.INTEGER);
        } else {
            st.setLong(index, value);
        }
    }

    private static void setNullableDouble(PreparedStatement st, int index, Double value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.REAL);
        } else {
            st.setDouble(index, value);
        }
    }

    /** Rolls back, if SQLite has not already done so itself (as it does after some errors). */
    private static void rollback(Statement transaction, Exception failure) {
        try {
            transaction.execute("ROLLBACK");
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Stops the merger after it has merged everything in the inbox, waits for a batch being written and for lent
     * read connections, then closes every connection.
     */
    @Override
    public void close() {
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        mergerThread.close();
        readers.close();
        SqliteConnections.closeQuietly(inboxWriter);
        SqliteConnections.closeQuietly(merger);
        log.info("Closed heartbeat store {}", file);
    }
}
