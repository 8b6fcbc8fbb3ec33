package io.tophat.store;

import com.zaxxer.hikari.HikariDataSource;
import io.tophat.protocol.Heartbeat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The production engine: one PostgreSQL database that every worker (and balancer) may share. The writer's batch
 * is one statement ({@link PostgresAppend}); the history is partitioned by month ({@link PostgresPartitions});
 * reads and writes share a bounded HikariCP pool whose connections carry a statement timeout. Schema in
 * {@code db/heartbeats/postgresql} (Flyway, which locks the database while it migrates, so workers starting
 * together are safe). A database that goes away makes calls fail with {@link StoreException}. The call after a lost
 * connection first tries a connection of its own, and once the database answers it the pool is made anew, rather
 * than waiting out the pool's own reconnect backoff (up to seconds); while that connection fails, calls fail at once
 * instead of waiting the pool's connection timeout, and one tries again every 50 ms at most (the worker's probe,
 * {@link #checkWritable}, calls every 250 ms). So a heartbeat is answered 503 without delay while the database is
 * away, and one that comes after its return makes the new pool.
 */
public final class PostgresHeartbeatStore implements HeartbeatStore {
    private static final Logger log = LoggerFactory.getLogger(PostgresHeartbeatStore.class);
    private final FailureLog failureLog = new FailureLog(log);
    private static final String HISTORY_SEQ = "coalesce(seq, 9223372036854775807)";
    private static final String READ = "SELECT " + HeartbeatRows.READ_COLUMNS;
    private static final String COMMITTED_AFTER = READ + ", time, " + HISTORY_SEQ + ", key FROM heartbeats"
            + " WHERE key > ? ORDER BY key LIMIT ?";
    private static final String COMMITTED_AFTER_OF = READ + ", time, " + HISTORY_SEQ + ", key FROM heartbeats"
            + " WHERE key > ? AND producer = ANY(?) ORDER BY key LIMIT ?";
    private static final String HISTORY = READ + ", time, " + HISTORY_SEQ + ", key FROM heartbeats"
            + " WHERE producer = ? AND time >= ? AND time < ?%s ORDER BY time %s, " + HISTORY_SEQ + " %2$s, key %2$s LIMIT ?";
    private static final String LATEST = READ + " FROM latest WHERE producer = ?";
    private static final String LATEST_AT_LABEL = READ + " FROM heartbeats WHERE label = ?"
            + " ORDER BY time DESC, key DESC LIMIT 1";
    private static final String PRODUCERS = "SELECT producer, time FROM latest WHERE producer > ? AND time >= ?"
            + " ORDER BY producer LIMIT ?";
    private static final long DAY_MILLIS = 86_400_000L;
    private static final long RECONNECT_EVERY_NANOS = 50_000_000L;

    private final PostgresStoreConfig config;
    private volatile HikariDataSource pool;
    /** Set when a call lost its connection or could make none; the next call replaces the pool. */
    private volatile boolean connectionLost;
    /** Set while a connection of the store's own fails: calls fail at once, but for one each 50 ms that tries again. */
    private volatile boolean unreachable;
    private volatile long lastReconnectNanos;
    private final ReentrantLock reconnecting = new ReentrantLock();
    private final String identity;
    private final String secret;
    private final ScheduledExecutorService maintenance;
    private volatile boolean closed;

    private PostgresHeartbeatStore(PostgresStoreConfig config, HikariDataSource pool, String identity, String secret) {
        this.config = config;
        this.pool = pool;
        this.identity = identity;
        this.secret = secret;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tophat-pg-partitions");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleWithFixedDelay(this::createPartitions, DAY_MILLIS, DAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Connects, migrates the schema, creates the months ahead and reads the store's identity. */
    public static PostgresHeartbeatStore open(PostgresStoreConfig config) {
        HikariDataSource pool = PostgresDatabase.pool(config, "tophat-heartbeats");
        try {
            PostgresDatabase.migrate(pool, config, "db/heartbeats/postgresql", "flyway_heartbeats_history");
            try (Connection c = pool.getConnection()) {
                PostgresPartitions.createAhead(c, System.currentTimeMillis());
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT identity, secret FROM store_info WHERE id = 1")) {
                    if (!rs.next()) {
                        throw new StoreException("the PostgreSQL store at " + config.description()
                                + " has no store_info row; it was not created by TopHat", null);
                    }
                    PostgresHeartbeatStore store = new PostgresHeartbeatStore(config, pool, rs.getString(1), rs.getString(2));
                    log.info("Opened heartbeat store {} (identity {}, pool of {})", config.description(),
                            store.identity, config.poolSize());
                    return store;
                }
            }
        } catch (SQLException e) {
            pool.close();
            throw new StoreException("cannot open the PostgreSQL store at " + config.description() + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private <T> T with(String action, PostgresDatabase.Work<T> work) {
        if (closed) {
            throw new StoreException("cannot " + action + ": the store at " + config.description() + " is closed",
                    "the store is closed", null);
        }
        if (connectionLost) {
            reconnect(action);
        }
        try {
            return PostgresDatabase.withConnection(pool, work);
        } catch (SQLException e) {
            if (isConnectionFailure(e)) {
                connectionLost = true;
            }
            throw failureLog.report(new StoreException("the PostgreSQL store at " + config.description()
                    + " could not " + action + ": " + e.getMessage(), PostgresDatabase.condition(e), e));
        }
    }

    /**
     * No connection could be made (the pool's timeout, caused by its last failure to connect; a timeout without one
     * is a busy pool, which a new pool would not help) or one broke under the call (SQL state class 08).
     */
    private static boolean isConnectionFailure(SQLException e) {
        return (e instanceof java.sql.SQLTransientConnectionException && e.getCause() != null)
                || (e.getSQLState() != null && e.getSQLState().startsWith("08"));
    }

    private StoreException unreachable(String action) {
        return failureLog.report(new StoreException("the PostgreSQL store at " + config.description()
                + " could not " + action + ": it cannot be reached", PostgresDatabase.UNREACHABLE, null));
    }

    @Override
    public long append(List<Heartbeat> batch) {
        if (batch.isEmpty()) {
            return 0;
        }
        return with("store a batch of " + batch.size() + " heartbeats", c -> PostgresAppend.run(c, batch));
    }

    @Override
    public long lastKey() {
        return with("read its last commit key", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT last_key FROM store_info")) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    @Override
    public List<StoredHeartbeat> committedAfter(long afterKey, Set<String> producers, int limit) {
        return with("read what was committed after key " + afterKey, c -> {
            try (PreparedStatement st = c.prepareStatement(producers == null ? COMMITTED_AFTER : COMMITTED_AFTER_OF)) {
                st.setLong(1, afterKey);
                if (producers == null) {
                    st.setInt(2, limit);
                } else {
                    st.setArray(2, c.createArrayOf("text", producers.toArray()));
                    st.setInt(3, limit);
                }
                return stored(st, limit);
            }
        });
    }

    @Override
    public Optional<Heartbeat> latest(String producer) {
        return with("read the latest of " + producer, c -> {
            try (PreparedStatement st = c.prepareStatement(LATEST)) {
                st.setString(1, producer);
                return HeartbeatRows.first(st);
            }
        });
    }

    @Override
    public Optional<Heartbeat> latestAtLabel(String label) {
        return with("read the latest at a label", c -> {
            try (PreparedStatement st = c.prepareStatement(LATEST_AT_LABEL)) {
                st.setString(1, PostgresAppend.labelKey(label));
                return HeartbeatRows.first(st);
            }
        });
    }

    @Override
    public List<StoredHeartbeat> history(HistoryQuery query) {
        String order = query.descending() ? "DESC" : "ASC";
        String after = query.after() == null ? ""
                : " AND (time, " + HISTORY_SEQ + ", key) " + (query.descending() ? "<" : ">") + " (?, ?, ?)";
        String sql = String.format(HISTORY, after, order);
        return with("read the history of " + query.producer(), c -> {
            try (PreparedStatement st = c.prepareStatement(sql)) {
                int i = 1;
                st.setString(i++, query.producer());
                st.setLong(i++, query.from());
                st.setLong(i++, query.to());
                if (query.after() != null) {
                    st.setLong(i++, query.after().time());
                    st.setLong(i++, query.after().seq());
                    st.setLong(i++, query.after().key());
                }
                st.setInt(i, query.limit());
                return stored(st, query.limit());
            }
        });
    }

    /** Rows of {@link HeartbeatRows#READ_COLUMNS} then time, seq for order, key. */
    private static List<StoredHeartbeat> stored(PreparedStatement st, int limit) throws SQLException {
        List<StoredHeartbeat> out = new ArrayList<>(Math.min(limit, 1024));
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredHeartbeat(HeartbeatRows.heartbeat(rs),
                        new HistoryQuery.Position(rs.getLong(8), rs.getLong(9), rs.getLong(10))));
            }
        }
        return out;
    }

    @Override
    public List<ProducerSeen> producers(String afterId, long seenSince, int limit) {
        return with("list its producers", c -> {
            try (PreparedStatement st = c.prepareStatement(PRODUCERS)) {
                st.setString(1, afterId == null ? "" : afterId);
                st.setLong(2, seenSince);
                st.setInt(3, limit);
                List<ProducerSeen> out = new ArrayList<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ProducerSeen(rs.getString(1), rs.getLong(2)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void eachLatestPosition(PositionSink sink) {
        with("read the latest positions", c -> {
            c.setAutoCommit(false); // a cursor, so a million rows are not held at once
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT producer, lat, lon, time FROM latest WHERE lat IS NOT NULL AND lon IS NOT NULL")) {
                st.setFetchSize(10_000);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        sink.position(rs.getString(1), rs.getDouble(2), rs.getDouble(3), rs.getLong(4));
                    }
                }
                c.commit();
            } finally {
                c.setAutoCommit(true);
            }
            return null;
        });
    }

    @Override
    public Set<Long> storedSeqs(String producer, Collection<Long> seqs) {
        if (seqs.isEmpty()) {
            return Set.of();
        }
        return with("read the seqs of " + producer, c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT seq FROM seqs WHERE producer = ? AND seq = ANY(?)")) {
                st.setString(1, producer);
                st.setArray(2, c.createArrayOf("int8", seqs.toArray()));
                Set<Long> out = new HashSet<>();
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getLong(1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public long erase(String producer) {
        return with("erase " + producer, c -> {
            c.setAutoCommit(false);
            try (PreparedStatement history = c.prepareStatement("DELETE FROM heartbeats WHERE producer = ?");
                 PreparedStatement latest = c.prepareStatement("DELETE FROM latest WHERE producer = ?");
                 PreparedStatement seqs = c.prepareStatement("DELETE FROM seqs WHERE producer = ?")) {
                history.setString(1, producer);
                latest.setString(1, producer);
                seqs.setString(1, producer);
                long n = history.executeUpdate();
                latest.executeUpdate();
                seqs.executeUpdate();
                c.commit();
                return n;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    /**
     * Drops the monthly partitions wholly before the cutoff first (at once, however many heartbeats they hold,
     * which are counted in the answer), then deletes up to {@code maxRows} older heartbeats from the others.
     */
    @Override
    public long expire(long cutoffMillis, int maxRows, boolean latestToo) {
        return with("expire heartbeats before " + cutoffMillis, c -> {
            long dropped = PostgresPartitions.dropBefore(c, cutoffMillis);
            if (dropped > 0) {
                return dropped;
            }
            long deleted;
            try (PreparedStatement st = c.prepareStatement("DELETE FROM heartbeats WHERE key IN"
                    + " (SELECT key FROM heartbeats WHERE time < ? LIMIT ?)")) {
                st.setLong(1, cutoffMillis);
                st.setInt(2, maxRows);
                deleted = st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM seqs WHERE ctid IN"
                    + " (SELECT ctid FROM seqs WHERE time < ? LIMIT ?)")) {
                st.setLong(1, cutoffMillis);
                st.setInt(2, maxRows);
                st.executeUpdate();
            }
            if (latestToo) {
                try (PreparedStatement st = c.prepareStatement("DELETE FROM latest WHERE time < ?")) {
                    st.setLong(1, cutoffMillis);
                    st.executeUpdate();
                }
            }
            return deleted;
        });
    }

    @Override
    public long historySize() {
        return with("count its history", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM heartbeats")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public String description() {
        return config.description();
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public String identityProof() {
        return secret;
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public void checkWritable() {
        with("take a write", c -> {
            try (PreparedStatement st = c.prepareStatement("INSERT INTO write_probe (id, probed_at) VALUES (1, ?)"
                    + " ON CONFLICT (id) DO UPDATE SET probed_at = EXCLUDED.probed_at")) {
                st.setLong(1, System.currentTimeMillis());
                st.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Once a connection of its own reaches the database again, a new pool takes the place of the old one. While the
     * database cannot be reached, a call fails at once when another is trying or one tried less than 50 ms ago.
     */
    private void reconnect(String action) {
        if (unreachable) {
            if (System.nanoTime() - lastReconnectNanos < RECONNECT_EVERY_NANOS || !reconnecting.tryLock()) {
                throw unreachable(action);
            }
        } else {
            reconnecting.lock();
        }
        try {
            if (!connectionLost) {
                return;
            }
            if (unreachable && System.nanoTime() - lastReconnectNanos < RECONNECT_EVERY_NANOS) {
                throw unreachable(action);
            }
            lastReconnectNanos = System.nanoTime();
            replacePool();
        } finally {
            reconnecting.unlock();
        }
    }

    private void replacePool() {
        java.util.Properties props = new java.util.Properties();
        if (config.password() != null) {
            props.setProperty("password", config.password());
        }
        props.setProperty("connectTimeout", "1");
        try (Connection c = java.sql.DriverManager.getConnection(config.url(), props)) {
            c.isValid(1);
        } catch (SQLException e) {
            unreachable = true;
            throw failureLog.report(new StoreException("the PostgreSQL store at " + config.description()
                    + " cannot be reached: " + e.getMessage(), PostgresDatabase.UNREACHABLE, e));
        }
        HikariDataSource old = pool;
        pool = PostgresDatabase.pool(config, "tophat-heartbeats");
        connectionLost = false;
        unreachable = false;
        log.info("reconnected to the heartbeat store {}", config.description());
        try {
            maintenance.execute(old::close); // Hikari may wait a second for its connection adder; the caller does not
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            old.close();
        }
    }

    private void createPartitions() {
        try {
            with("create the history's partitions ahead", c -> {
                PostgresPartitions.createAhead(c, System.currentTimeMillis());
                return null;
            });
        } catch (StoreException e) {
            log.warn("{}; tried again tomorrow, heartbeats of a missing month go to heartbeats_default", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        maintenance.shutdownNow();
        pool.close();
        log.info("Closed heartbeat store {}", config.description());
    }
}
