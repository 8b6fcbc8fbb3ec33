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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The embedded engine: one SQLite file in WAL mode. Schema in {@code db/heartbeats/sqlite} (Flyway). One write
 * connection, used by the single writer thread, writes each batch in one transaction; a small pool of read-only
 * connections serves concurrent reads, which WAL lets run while a batch is being written.
 */
public final class SqliteHeartbeatStore implements HeartbeatStore {

    private static final Logger log = LoggerFactory.getLogger(SqliteHeartbeatStore.class);

    // The write connection stays in JDBC auto-commit mode and runs each batch between BEGIN IMMEDIATE and COMMIT:
    // the write lock is taken up front (waiting up to the busy timeout) and no transaction stays open between
    // batches, whatever state an error left the connection in.
    private static final String BEGIN = "BEGIN IMMEDIATE";
    private static final String COMMIT = "COMMIT";
    private static final String ROLLBACK = "ROLLBACK";

    private static final String COLUMNS =
            "producer, received_at, seq, device_time, location, lat, lon, label, data, ip_address";
    private static final String VALUES = "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_HISTORY = "INSERT INTO heartbeats (" + COLUMNS + ") " + VALUES
            + " ON CONFLICT (producer, seq) WHERE seq IS NOT NULL DO NOTHING";
    private static final String UPSERT_LATEST = "INSERT INTO latest (" + COLUMNS + ") " + VALUES
            + " ON CONFLICT (producer) DO UPDATE SET received_at = excluded.received_at, seq = excluded.seq,"
            + " device_time = excluded.device_time, location = excluded.location, lat = excluded.lat,"
            + " lon = excluded.lon, label = excluded.label, data = excluded.data, ip_address = excluded.ip_address"
            + " WHERE excluded.received_at >= latest.received_at";

    private static final String READ_COLUMNS = "producer, location, data, ip_address, received_at, device_time, seq";
    private static final String SELECT_LATEST = "SELECT " + READ_COLUMNS + " FROM latest WHERE producer = ?";
    private static final String SELECT_LATEST_AT_LABEL = "SELECT " + READ_COLUMNS + " FROM heartbeats"
            + " WHERE label = ? ORDER BY received_at DESC, id DESC LIMIT 1";
    private static final String SELECT_HISTORY = "SELECT " + READ_COLUMNS + " FROM heartbeats"
            + " WHERE producer = ? AND received_at >= ? AND received_at < ? ORDER BY received_at, id LIMIT ?";
    private static final String COUNT_HISTORY = "SELECT count(*) FROM heartbeats";
    private static final String SELECT_IDENTITY = "SELECT identity FROM store_info WHERE id = 1";

    private final Path file;
    private final SqliteFailures failures;
    private final Connection writer;
    private final SqliteReadPool readers;
    private final String identity;
    private final Object writeLock = new Object();
    private boolean closed;

    private SqliteHeartbeatStore(Path file, SqliteFailures failures, Connection writer, SqliteReadPool readers,
                                 String identity) {
        this.file = file;
        this.failures = failures;
        this.writer = writer;
        this.readers = readers;
        this.identity = identity;
    }

    /**
     * Opens the store in {@code config.file()}: creates the file and its folders when missing, brings the schema
     * up to date and opens the connections.
     *
     * @throws StoreException naming the file and what to fix when it cannot be used
     */
    public static SqliteHeartbeatStore open(SqliteStoreConfig config) {
        Path file = config.file().toAbsolutePath().normalize();
        SqliteFailures failures = new SqliteFailures(file);
        SqliteConnections connections = new SqliteConnections(file, config.synchronous(), failures);
        connections.prepareFolder();
        List<Connection> opened = new ArrayList<>();
        try {
            Connection writer = connections.openWriter();
            opened.add(writer);
            connections.migrate();
            List<Connection> readConnections = new ArrayList<>();
            for (int i = 0; i < config.readConnections(); i++) {
                Connection reader = connections.openReader();
                opened.add(reader);
                readConnections.add(reader);
            }
            String identity = readIdentity(writer);
            SqliteReadPool readers = new SqliteReadPool(readConnections, SqliteConnections.BUSY_TIMEOUT, failures);
            log.info("Opened heartbeat store {} (identity {}, synchronous {}, {} read connections)",
                    file, identity, config.synchronous(), config.readConnections());
            return new SqliteHeartbeatStore(file, failures, writer, readers, identity);
        } catch (SQLException e) {
            opened.forEach(SqliteConnections::closeQuietly);
            throw failures.translate("open the heartbeat store", e);
        } catch (RuntimeException e) {
            opened.forEach(SqliteConnections::closeQuietly);
            throw e;
        }
    }

    private static String readIdentity(Connection connection) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(SELECT_IDENTITY); ResultSet rs = st.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("store_info has no identity row; the schema was changed by hand");
            }
            return rs.getString(1);
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
            try (Statement transaction = writer.createStatement()) {
                transaction.execute(BEGIN);
                try {
                    write(batch);
                    transaction.execute(COMMIT);
                } catch (SQLException | RuntimeException e) {
                    rollback(transaction, e);
                    throw e;
                }
            } catch (SQLException e) {
                throw failures.translate("append " + batch.size() + " heartbeats to", e);
            }
        }
    }

    /** Inserts the batch into the history, then moves {@code latest} for the heartbeats that were new. */
    private void write(List<Heartbeat> batch) throws SQLException {
        String[] locations = new String[batch.size()];
        int[] inserted;
        try (PreparedStatement st = writer.prepareStatement(INSERT_HISTORY)) {
            for (int i = 0; i < batch.size(); i++) {
                locations[i] = HeartbeatJson.encodeLocation(batch.get(i).location());
                bind(st, batch.get(i), locations[i]);
                st.addBatch();
            }
            inserted = st.executeBatch();
        }
        try (PreparedStatement st = writer.prepareStatement(UPSERT_LATEST)) {
            for (int i : newestPerProducer(batch, inserted)) {
                bind(st, batch.get(i), locations[i]);
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    /**
     * The positions in {@code batch} of the newest stored heartbeat of each producer, in producer order (upserts
     * in key order touch the table's pages in order); a duplicate that the history ignored does not count. On
     * equal times the later one in the batch wins, as it does across batches.
     */
    private static Iterable<Integer> newestPerProducer(List<Heartbeat> batch, int[] inserted) {
        Map<String, Integer> newest = new TreeMap<>();
        for (int i = 0; i < batch.size(); i++) {
            if (inserted[i] == 0) {
                continue;
            }
            long receivedAt = batch.get(i).receivedAt();
            newest.merge(batch.get(i).producer(), i,
                    (kept, candidate) -> receivedAt >= batch.get(kept).receivedAt() ? candidate : kept);
        }
        return newest.values();
    }

    private static void bind(PreparedStatement st, Heartbeat hb, String location) throws SQLException {
        Location loc = hb.location();
        st.setString(1, hb.producer());
        st.setLong(2, hb.receivedAt());
        setNullableLong(st, 3, hb.seq());
        setNullableLong(st, 4, hb.deviceTime());
        st.setString(5, location);
        setNullableDouble(st, 6, loc.label() == null ? loc.lat() : null);
        setNullableDouble(st, 7, loc.label() == null ? loc.lon() : null);
        st.setString(8, loc.label());
        st.setString(9, hb.data());
        st.setString(10, hb.ipAddress());
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
            transaction.execute(ROLLBACK);
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public Optional<Heartbeat> latest(String producer) {
        return readers.read("read the latest heartbeat of " + producer + " from", c -> {
            try (PreparedStatement st = c.prepareStatement(SELECT_LATEST)) {
                st.setString(1, producer);
                return first(st);
            }
        });
    }

    @Override
    public Optional<Heartbeat> latestAtLabel(String label) {
        return readers.read("read the latest heartbeat at location '" + label + "' from", c -> {
            try (PreparedStatement st = c.prepareStatement(SELECT_LATEST_AT_LABEL)) {
                st.setString(1, label);
                return first(st);
            }
        });
    }

    @Override
    public List<Heartbeat> history(String producer, long fromMillis, long toMillis, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit is " + limit + "; it must not be negative");
        }
        if (limit == 0 || fromMillis >= toMillis) {
            return List.of();
        }
        return readers.read("read the history of " + producer + " from", c -> {
            try (PreparedStatement st = c.prepareStatement(SELECT_HISTORY)) {
                st.setString(1, producer);
                st.setLong(2, fromMillis);
                st.setLong(3, toMillis);
                st.setInt(4, limit);
                return all(st, limit);
            }
        });
    }

    /** Counts the rows of the history: a full scan of its smallest index, so not for a hot path. */
    @Override
    public long historySize() {
        return readers.read("count the history in", c -> {
            try (PreparedStatement st = c.prepareStatement(COUNT_HISTORY); ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public String identity() {
        return identity;
    }

    /** The absolute path of the database file. */
    public Path file() {
        return file;
    }

    private static Optional<Heartbeat> first(PreparedStatement st) throws SQLException {
        try (ResultSet rs = st.executeQuery()) {
            return rs.next() ? Optional.of(heartbeat(rs)) : Optional.empty();
        }
    }

    private static List<Heartbeat> all(PreparedStatement st, int limit) throws SQLException {
        List<Heartbeat> result = new ArrayList<>(Math.min(limit, 1024));
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                result.add(heartbeat(rs));
            }
        }
        return result;
    }

    private static Heartbeat heartbeat(ResultSet rs) throws SQLException {
        return new Heartbeat(rs.getString(1), HeartbeatJson.decodeLocation(rs.getString(2)), rs.getString(3),
                rs.getString(4), rs.getLong(5), nullableLong(rs, 6), nullableLong(rs, 7));
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }

    /** Waits for a batch being written and for lent read connections, then closes every connection. */
    @Override
    public void close() {
        synchronized (writeLock) {
            if (closed) {
                return;
            }
            closed = true;
            readers.close();
            SqliteConnections.closeQuietly(writer);
            log.info("Closed heartbeat store {}", file);
        }
    }
}
