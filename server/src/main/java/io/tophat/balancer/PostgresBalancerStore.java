package io.tophat.balancer;

import com.zaxxer.hikari.HikariDataSource;
import io.tophat.store.PostgresDatabase;
import io.tophat.store.PostgresStoreConfig;
import io.tophat.store.StoreException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The balancers' shared state in PostgreSQL (schema {@code db/balancer/postgresql}): the same tables as a
 * balancer's own file, written so that the newest decision stands (an assignment never replaces a later epoch),
 * plus a log of changes every balancer reads to learn what the others decided, and one sequence of fencing
 * epochs handed out in disjoint, growing blocks.
 */
public final class PostgresBalancerStore implements StateStore {
    private static final org.slf4j.Logger LOGGER = org.slf4j.LoggerFactory.getLogger(PostgresBalancerStore.class);
    static final int EPOCH_BLOCK = 1000;
    private static final long KEEP_CHANGES_MS = 3_600_000L;
    private static final String LOG = "INSERT INTO state_changes (seq, origin, at, kind, producer, worker_id, epoch,"
            + " assigned_at, store, name, definition) VALUES (?,?,?,?,?,?,?,?,?,?,?)";

    private final PostgresStoreConfig config;
    private final HikariDataSource pool;
    private final String origin = UUID.randomUUID().toString();
    private long lastSeen;
    private int polls;
    /** Why the database cannot be used now, from the last write or read of the others' changes; null while it can. */
    private volatile String failing;

    private PostgresBalancerStore(PostgresStoreConfig config, HikariDataSource pool) {
        this.config = config;
        this.pool = pool;
    }

    /** Connects and migrates; the state is whatever the database holds (there is no file to lose or recover). */
    public static PostgresBalancerStore open(PostgresStoreConfig config) {
        HikariDataSource pool = PostgresDatabase.pool(new PostgresStoreConfig(config.url(), config.password(),
                Math.max(2, config.poolSize() / 2), config.statementTimeout()), "tophat-balancer-state");
        try {
            PostgresDatabase.migrate(pool, config, "db/balancer/postgresql", "flyway_balancer_history");
            return new PostgresBalancerStore(config, pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    public String description() {
        return config.description();
    }

    private <T> T with(String action, PostgresDatabase.Work<T> work) {
        try {
            T result = PostgresDatabase.withConnection(pool, work);
            if (failing != null) {
                LOGGER.info("the shared state at {} is usable again", config.description());
                failing = null;
            }
            return result;
        } catch (SQLException e) {
            // clients (the health check, 503 answers) read the condition; the address and the server's words are logged
            String problem = "the shared state cannot be used: " + PostgresDatabase.condition(e);
            if (!problem.equals(failing)) {
                LOGGER.warn("the shared state at {} could not {}: {}", config.description(), action, e.getMessage());
            }
            failing = problem;
            throw new StateWriteException(problem, e);
        }
    }

    @Override
    public String problem() {
        return failing; // cleared by the next read of the others' changes that succeeds, four times a second
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public BalancerStore.State load() {
        try {
            return with("be read", c -> {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                try (Statement s = c.createStatement()) {
                    BalancerStore.State state = BalancerStore.read(s);
                    try (ResultSet rs = s.executeQuery("SELECT last_change FROM state_info WHERE id = 1")) {
                        lastSeen = rs.next() ? rs.getLong(1) : 0;
                    }
                    c.commit();
                    return state;
                } finally {
                    c.setAutoCommit(true);
                }
            });
        } catch (StateWriteException e) {
            throw new StoreException(e.getMessage(), e);
        }
    }

    @Override
    public void apply(List<BalancerStore.Change> changes) {
        with("take " + changes.size() + " changes", c -> {
            c.setAutoCommit(false);
            try (PreparedStatement join = c.prepareStatement("INSERT INTO workers (id, url, store, seed, registered_at)"
                    + " VALUES (?,?,?,?,?) ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, store = EXCLUDED.store,"
                    + " seed = EXCLUDED.seed, registered_at = EXCLUDED.registered_at");
                 PreparedStatement leave = c.prepareStatement("DELETE FROM workers WHERE id = ?");
                 PreparedStatement assign = c.prepareStatement("INSERT INTO assignments (producer, worker_id, epoch,"
                         + " assigned_at) VALUES (?,?,?,?) ON CONFLICT (producer) DO UPDATE SET worker_id = EXCLUDED.worker_id,"
                         + " epoch = EXCLUDED.epoch, assigned_at = EXCLUDED.assigned_at"
                         + " WHERE assignments.epoch < EXCLUDED.epoch");
                 PreparedStatement held = c.prepareStatement("INSERT INTO producer_stores (producer, store) VALUES (?,?)"
                         + " ON CONFLICT DO NOTHING");
                 PreparedStatement unassign = c.prepareStatement("DELETE FROM assignments WHERE producer = ?");
                 PreparedStatement unhold = c.prepareStatement("DELETE FROM producer_stores WHERE producer = ?");
                 PreparedStatement claim = c.prepareStatement("INSERT INTO stores (identity, proof_sha256, shared, claimed_at)"
                         + " VALUES (?,?,?,?) ON CONFLICT (identity) DO UPDATE SET proof_sha256 = EXCLUDED.proof_sha256,"
                         + " shared = EXCLUDED.shared, claimed_at = EXCLUDED.claimed_at");
                 PreparedStatement saveArea = c.prepareStatement("INSERT INTO areas (name, definition, created_at)"
                         + " VALUES (?,?,?) ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition,"
                         + " created_at = EXCLUDED.created_at");
                 PreparedStatement removeArea = c.prepareStatement("DELETE FROM areas WHERE name = ?");
                 PreparedStatement saveKey = c.prepareStatement("INSERT INTO consumer_keys (name, definition, created_at)"
                         + " VALUES (?,?,?) ON CONFLICT (name) DO UPDATE SET definition = EXCLUDED.definition,"
                         + " created_at = EXCLUDED.created_at");
                 PreparedStatement revokeKey = c.prepareStatement("DELETE FROM consumer_keys WHERE name = ?");
                 PreparedStatement numbers = c.prepareStatement("UPDATE state_info SET last_change = last_change + ?"
                         + " WHERE id = 1 RETURNING last_change");
                 PreparedStatement log = c.prepareStatement(LOG)) {
                List<BalancerStore.Change> shared = changes.stream().filter(PostgresBalancerStore::isShared).toList();
                long seq = 0;
                if (!shared.isEmpty()) {
                    numbers.setLong(1, shared.size());
                    try (ResultSet rs = numbers.executeQuery()) {
                        rs.next();
                        seq = rs.getLong(1) - shared.size();
                    }
                }
                long now = System.currentTimeMillis();
                for (BalancerStore.Change change : changes) {
                    if (change instanceof BalancerStore.Joined j) {
                        Worker w = j.worker();
                        join.setString(1, w.id());
                        join.setString(2, w.url());
                        join.setString(3, w.store());
                        join.setBoolean(4, w.seed());
                        join.setLong(5, w.registeredAt());
                        join.executeUpdate();
                    } else if (change instanceof BalancerStore.Left l) {
                        leave.setString(1, l.workerId());
                        leave.executeUpdate();
                    } else if (change instanceof BalancerStore.Assigned a) {
                        Assignment as = a.assignment();
                        assign.setString(1, as.producer());
                        assign.setString(2, as.workerId());
                        assign.setLong(3, as.epoch());
                        assign.setLong(4, as.assignedAt());
                        assign.executeUpdate();
                        logged(log, ++seq, now, "assigned", as.producer(), as.workerId(), as.epoch(), as.assignedAt(),
                                null, null, null);
                    } else if (change instanceof BalancerStore.Held h) {
                        held.setString(1, h.producer());
                        held.setString(2, h.store());
                        held.executeUpdate();
                        logged(log, ++seq, now, "held", h.producer(), null, null, null, h.store(), null, null);
                    } else if (change instanceof BalancerStore.Erased e) {
                        unassign.setString(1, e.producer());
                        unassign.executeUpdate();
                        unhold.setString(1, e.producer());
                        unhold.executeUpdate();
                        logged(log, ++seq, now, "erased", e.producer(), null, null, null, null, null, null);
                    } else if (change instanceof BalancerStore.Claimed cl) {
                        claim.setString(1, cl.claim().identity());
                        claim.setString(2, cl.claim().proofSha256());
                        claim.setBoolean(3, cl.claim().shared());
                        claim.setLong(4, cl.claim().claimedAt());
                        claim.executeUpdate();
                    } else if (change instanceof BalancerStore.AreaSaved a) {
                        saveArea.setString(1, a.name());
                        saveArea.setString(2, a.definition());
                        saveArea.setLong(3, a.createdAt());
                        saveArea.executeUpdate();
                        logged(log, ++seq, now, "area_saved", null, null, null, a.createdAt(), null, a.name(),
                                a.definition());
                    } else if (change instanceof BalancerStore.AreaRemoved a) {
                        removeArea.setString(1, a.name());
                        removeArea.executeUpdate();
                        logged(log, ++seq, now, "area_removed", null, null, null, null, null, a.name(), null);
                    } else if (change instanceof BalancerStore.KeySaved k) {
                        saveKey.setString(1, k.name());
                        saveKey.setString(2, k.definition());
                        saveKey.setLong(3, k.createdAt());
                        saveKey.executeUpdate();
                        logged(log, ++seq, now, "key_saved", null, null, null, k.createdAt(), null, k.name(),
                                k.definition());
                    } else if (change instanceof BalancerStore.KeyRevoked k) {
                        revokeKey.setString(1, k.name());
                        revokeKey.executeUpdate();
                        logged(log, ++seq, now, "key_revoked", null, null, null, null, null, k.name(), null);
                    }
                }
                log.executeBatch();
                c.commit();
                return null;
            } catch (SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    /** The changes other balancers must hear of: who holds a producer, which stores, erasures, areas. */
    private static boolean isShared(BalancerStore.Change change) {
        return change instanceof BalancerStore.Assigned || change instanceof BalancerStore.Held
                || change instanceof BalancerStore.Erased || change instanceof BalancerStore.AreaSaved
                || change instanceof BalancerStore.AreaRemoved || change instanceof BalancerStore.KeySaved
                || change instanceof BalancerStore.KeyRevoked;
    }

    private void logged(PreparedStatement log, long seq, long at, String kind, String producer, String worker,
                        Long epoch, Long assignedAt, String store, String name, String definition) throws SQLException {
        log.setLong(1, seq);
        log.setString(2, origin);
        log.setLong(3, at);
        log.setString(4, kind);
        log.setString(5, producer);
        log.setString(6, worker);
        log.setObject(7, epoch);
        log.setObject(8, assignedAt);
        log.setString(9, store);
        log.setString(10, name);
        log.setString(11, definition);
        log.addBatch();
    }

    @Override
    public long reserveEpochs(long above) {
        return with("hand out epochs", c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT nextval('epochs')")) {
                rs.next();
                long first = rs.getLong(1);
                if (first > above) {
                    return first;
                }
            }
            // a grant reported by a worker is above the sequence (a state older than the workers'): move past it
            try (PreparedStatement st = c.prepareStatement("SELECT setval('epochs', ?)")) {
                st.setLong(1, above + 1);
                st.executeQuery().close();
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT nextval('epochs')")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public int epochBlock() {
        return EPOCH_BLOCK;
    }

    @Override
    public List<BalancerStore.Change> othersChanges() {
        return with("be read for others' changes", c -> {
            List<BalancerStore.Change> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT seq, origin, kind, producer, worker_id, epoch,"
                    + " assigned_at, store, name, definition FROM state_changes WHERE seq > ? ORDER BY seq LIMIT 10000")) {
                st.setLong(1, lastSeen);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        lastSeen = rs.getLong(1);
                        if (origin.equals(rs.getString(2))) {
                            continue;
                        }
                        String producer = rs.getString(4);
                        out.add(switch (rs.getString(3)) {
                            case "assigned" -> new BalancerStore.Assigned(new Assignment(producer, rs.getString(5),
                                    rs.getLong(6), rs.getLong(7)));
                            case "held" -> new BalancerStore.Held(producer, rs.getString(8));
                            case "erased" -> new BalancerStore.Erased(producer);
                            case "area_saved" -> new BalancerStore.AreaSaved(rs.getString(9), rs.getString(10), rs.getLong(7));
                            case "key_saved" -> new BalancerStore.KeySaved(rs.getString(9), rs.getString(10), rs.getLong(7));
                            case "key_revoked" -> new BalancerStore.KeyRevoked(rs.getString(9));
                            default -> new BalancerStore.AreaRemoved(rs.getString(9));
                        });
                    }
                }
            }
            if (++polls % 2400 == 0) { // about every ten minutes at four polls a second
                try (PreparedStatement st = c.prepareStatement("DELETE FROM state_changes WHERE at < ?")) {
                    st.setLong(1, System.currentTimeMillis() - KEEP_CHANGES_MS);
                    st.executeUpdate();
                }
            }
            return out;
        });
    }

    @Override
    public List<BalancerStore.Change> producer(String producer) {
        return with("be read for producer " + producer, c -> {
            List<BalancerStore.Change> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT worker_id, epoch, assigned_at FROM assignments WHERE producer = ?")) {
                st.setString(1, producer);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        out.add(new BalancerStore.Assigned(new Assignment(producer, rs.getString(1), rs.getLong(2),
                                rs.getLong(3))));
                    }
                }
            }
            try (PreparedStatement st = c.prepareStatement("SELECT store FROM producer_stores WHERE producer = ?")) {
                st.setString(1, producer);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(new BalancerStore.Held(producer, rs.getString(1)));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public void close() {
        pool.close();
    }
}
