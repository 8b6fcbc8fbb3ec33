package io.tophat.balancer;

import io.tophat.store.SqliteConnections;
import io.tophat.store.SqliteFailures;
import io.tophat.store.SqliteStoreConfig;
import io.tophat.store.StoreException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Objects;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The balancer's state on disk (a small SQLite file): workers, assignments and store claims, written in batches
 * by one thread, read once at start.
 *
 * <p>Losing this file must never pass unnoticed. Beside it, {@value #MARKER} records that the data dir holds a
 * state; {@link #open} refuses a state file that is missing while the marker is there, empty, or corrupt, unless
 * told to recover (then the bad file is moved aside, never deleted, and the balancer starts empty and rebuilds
 * from its workers' reports). While running, every write first checks that the file is still the one opened, so
 * a removed or replaced file makes registrations fail (503) instead of being answered into a deleted file.
 */
public final class BalancerStore implements StateStore {

    /** One change to the balancer's state. */
    public sealed interface Change {
    }

    public record Joined(Worker worker) implements Change {
    }

    public record Left(String workerId) implements Change {
    }

    public record Assigned(Assignment assignment) implements Change {
    }

    record Claimed(StoreClaims.Claim claim) implements Change {
    }

    /** The producer's heartbeats are (also) in {@code store}. */
    record Held(String producer, String store) implements Change {
    }

    /** The producer was erased everywhere: its assignment and stores are forgotten. */
    record Erased(String producer) implements Change {
    }

    /** A watched area was defined (or redefined), its definition as JSON. */
    record AreaSaved(String name, String definition, long createdAt) implements Change {
    }

    record AreaRemoved(String name) implements Change {
    }

    /** A consumer key was made (or replaced): its hash and scope as JSON ({@code KeyGrant}). */
    record KeySaved(String name, String definition, long createdAt) implements Change {
    }

    record KeyRevoked(String name) implements Change {
    }

    /**
     * What the balancer knew when it stopped; {@code areas}: each area's definition by name, oldest first;
     * {@code keys}: each consumer key's definition by name.
     */
    public record State(List<Worker> workers, List<Assignment> assignments, List<StoreClaims.Claim> claims,
                        List<Held> stores, Map<String, String> areas, Map<String, String> keys) {
    }

    /** The file beside the state that says this data dir holds one. */
    public static final String MARKER = "balancer.id";

    /** The balancer's schema; Flyway's history table keeps its default name, as in files made before. */
    private static final Logger LOG = LoggerFactory.getLogger(BalancerStore.class);
    private static final SqliteConnections.Schema SCHEMA = new SqliteConnections.Schema("classpath:db/balancer/sqlite",
            "flyway_schema_history", 1000, 8 * 1024 * 1024, "balancer state", "balancer.db");

    private final Path file;
    private final Object fileKey;
    private final SqliteFailures failures;
    private final Connection connection;
    private final SqliteConnections database;
    /** How the file was lost, once logged; null while it is the file opened. */
    private volatile String lostLogged;

    private BalancerStore(Path file, SqliteFailures failures, SqliteConnections database, Connection connection) {
        this.file = file;
        this.database = database;
        this.fileKey = fileKey(file);
        this.failures = failures;
        this.connection = connection;
    }

    /**
     * Opens the state file, through the same connection settings as the worker's store; creates it in a data dir
     * that never held one.
     *
     * @param recover start empty on purpose: a missing, empty or corrupt file is moved aside instead of refused
     * @throws StoreException when the file is missing though expected, empty, or unreadable, and not recovering
     */
    public static BalancerStore open(Path file, boolean recover) {
        Path absolute = file.toAbsolutePath().normalize();
        SqliteFailures failures = new SqliteFailures(absolute);
        SqliteConnections database = new SqliteConnections(absolute, SCHEMA, SqliteStoreConfig.Synchronous.NORMAL,
                failures);
        database.prepareFolder();
        Path marker = absolute.resolveSibling(MARKER);
        if (recover) {
            moveAside(absolute);
        } else {
            refuseLostState(absolute, marker);
        }
        Connection connection = null;
        try {
            connection = database.openWriter();
            checkIntegrity(connection, failures);
            database.migrate();
            connection.setAutoCommit(false);
            writeMarker(marker);
            return new BalancerStore(absolute, failures, database, connection);
        } catch (SQLException e) {
            if (connection != null) {
                SqliteConnections.closeQuietly(connection);
            }
            throw failures.translate("open the balancer state", e);
        } catch (RuntimeException e) {
            if (connection != null) {
                SqliteConnections.closeQuietly(connection);
            }
            throw e;
        }
    }

    private static void refuseLostState(Path file, Path marker) {
        String recover = "; restore it from a backup, or start with --recover to begin empty and rebuild the "
                + "assignments from the workers' reports";
        if (!Files.exists(file) && Files.exists(marker)) {
            throw new StoreException("the balancer state file " + file + " is missing, though " + marker
                    + " says this data dir held one" + recover, null);
        }
        try {
            if (Files.exists(file) && Files.size(file) == 0) {
                throw new StoreException("the balancer state file " + file + " is empty (0 bytes)" + recover, null);
            }
        } catch (IOException e) {
            throw new StoreException("cannot read the balancer state file " + file + ": " + e.getMessage(), e);
        }
    }

    /** SQLite opens a damaged file without complaint; a quick check finds it before the state is trusted. */
    private static void checkIntegrity(Connection connection, SqliteFailures failures) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
            String verdict = rs.next() ? rs.getString(1) : "no answer";
            if (!"ok".equalsIgnoreCase(verdict)) {
                throw failures.other("check", "the file is damaged (" + verdict + "); restore it from a backup, or "
                        + "start with --recover to begin empty and rebuild from the workers' reports", null);
            }
        }
    }

    /** With --recover: the old state file and its journal go to {@code balancer.db.lost-<time>}, kept for study. */
    private static void moveAside(Path file) {
        String suffix = ".lost-" + Instant.now().toString().replace(':', '-');
        for (String part : List.of("", "-wal", "-shm")) {
            Path p = file.resolveSibling(file.getFileName() + part);
            if (Files.exists(p)) {
                try {
                    Files.move(p, p.resolveSibling(p.getFileName() + suffix), StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                    throw new StoreException("cannot move the old balancer state " + p + " aside: " + e.getMessage(), e);
                }
            }
        }
    }

    private static void writeMarker(Path marker) {
        if (Files.exists(marker)) {
            return;
        }
        try {
            Files.writeString(marker, "TopHat balancer state: balancer.db in this folder, created "
                    + Instant.now() + "\n");
        } catch (IOException e) {
            throw new StoreException("cannot write " + marker + ": " + e.getMessage(), e);
        }
    }

    private static Object fileKey(Path file) {
        try {
            Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
            return key == null ? "present" : key;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Why state changes cannot be kept now: the file was removed or replaced since it was opened; null while it is
     * the file opened.
     */
    @Override
    public String problem() {
        Object now = fileKey(file);
        if (now == null) {
            return lost("removed", "restart the balancer with --recover to rebuild from the workers' reports");
        }
        if (!Objects.equals(now, fileKey)) {
            return lost("replaced", "restart the balancer to read the new file");
        }
        return null;
    }

    /**
     * The problem as clients are told it (the health check answers it to anyone): without the file's path, which
     * the log line says, once.
     */
    private String lost(String how, String remedy) {
        if (!how.equals(lostLogged)) {
            lostLogged = how;
            LOG.warn("the state file {} was {} while the balancer ran; state changes are refused until it is "
                    + "restarted: {}", file, how, remedy);
        }
        return "the state file was " + how + " while the balancer ran; " + remedy;
    }

    /**
     * The state as the file holds it. The producers' stores (as many rows as the assignments) are read on a second
     * connection while this one reads the rest, which halves the wait at the start of a balancer with a million
     * producers on two cores.
     */
    @Override
    public State load() {
        CompletableFuture<List<Held>> stores = CompletableFuture.supplyAsync(() -> {
            try (Connection aside = database.openWriter(); Statement s = aside.createStatement()) {
                return readStores(s);
            } catch (SQLException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try (Statement s = connection.createStatement()) {
            State state = read(s, stores);
            connection.commit();
            return state;
        } catch (SQLException e) {
            throw failures.translate("read the balancer state in", e);
        }
    }

    /** Reads the state's tables, which the SQLite file and the shared PostgreSQL database both have. */
    static State read(Statement s) throws SQLException {
        return read(s, null);
    }

    /**
     * {@link #read(Statement)}, the producers' stores taken from {@code storesReadAside} when given (read on
     * another connection meanwhile), else read here.
     */
    private static State read(Statement s, CompletableFuture<List<Held>> storesReadAside) throws SQLException {
        List<Worker> workers = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(
                "SELECT id, url, store, seed, registered_at FROM workers ORDER BY registered_at")) {
            while (rs.next()) {
                workers.add(new Worker(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4),
                        rs.getLong(5)));
            }
        }
        // a million rows name a few workers and stores: one String instance each, not one per row
        Map<String, String> names = new HashMap<>();
        List<Assignment> assignments = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT producer, worker_id, epoch, assigned_at FROM assignments")) {
            while (rs.next()) {
                assignments.add(new Assignment(rs.getString(1), names.computeIfAbsent(rs.getString(2), n -> n),
                        rs.getLong(3), rs.getLong(4)));
            }
        }
        List<StoreClaims.Claim> claims = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT identity, proof_sha256, shared, claimed_at FROM stores")) {
            while (rs.next()) {
                claims.add(new StoreClaims.Claim(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getLong(4)));
            }
        }
        Map<String, String> areas = new java.util.LinkedHashMap<>();
        try (ResultSet rs = s.executeQuery("SELECT name, definition FROM areas ORDER BY created_at, name")) {
            while (rs.next()) {
                areas.put(rs.getString(1), rs.getString(2));
            }
        }
        Map<String, String> keys = new java.util.LinkedHashMap<>();
        try (ResultSet rs = s.executeQuery("SELECT name, definition FROM consumer_keys ORDER BY name")) {
            while (rs.next()) {
                keys.put(rs.getString(1), rs.getString(2));
            }
        }
        List<Held> stores = storesReadAside == null ? readStores(s) : joined(storesReadAside);
        return new State(workers, assignments, claims, stores, areas, keys);
    }

    /** Every producer's stores; a million rows name a few stores: one String instance each, not one per row. */
    private static List<Held> readStores(Statement s) throws SQLException {
        Map<String, String> names = new HashMap<>();
        List<Held> stores = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT producer, store FROM producer_stores")) {
            while (rs.next()) {
                stores.add(new Held(rs.getString(1), names.computeIfAbsent(rs.getString(2), n -> n)));
            }
        }
        return stores;
    }

    private static List<Held> joined(CompletableFuture<List<Held>> stores) throws SQLException {
        try {
            return stores.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Applies the changes in order, in one transaction. Called from one thread. */
    @Override
    public void apply(List<Change> changes) {
        String problem = problem();
        if (problem != null) {
            throw new StateWriteException(problem, null);
        }
        try (PreparedStatement join = connection.prepareStatement(
                "INSERT OR REPLACE INTO workers (id, url, store, seed, registered_at) VALUES (?,?,?,?,?)");
             PreparedStatement claim = connection.prepareStatement(
                     "INSERT OR REPLACE INTO stores (identity, proof_sha256, shared, claimed_at) VALUES (?,?,?,?)");
             PreparedStatement held = connection.prepareStatement(
                     "INSERT OR IGNORE INTO producer_stores (producer, store) VALUES (?,?)");
             PreparedStatement unassign = connection.prepareStatement("DELETE FROM assignments WHERE producer = ?");
             PreparedStatement unhold = connection.prepareStatement("DELETE FROM producer_stores WHERE producer = ?");
             PreparedStatement leave = connection.prepareStatement("DELETE FROM workers WHERE id = ?");
             PreparedStatement saveArea = connection.prepareStatement(
                     "INSERT OR REPLACE INTO areas (name, definition, created_at) VALUES (?,?,?)");
             PreparedStatement removeArea = connection.prepareStatement("DELETE FROM areas WHERE name = ?");
             PreparedStatement saveKey = connection.prepareStatement(
                     "INSERT OR REPLACE INTO consumer_keys (name, definition, created_at) VALUES (?,?,?)");
             PreparedStatement revokeKey = connection.prepareStatement("DELETE FROM consumer_keys WHERE name = ?");
             PreparedStatement assign = connection.prepareStatement(
                     "INSERT OR REPLACE INTO assignments (producer, worker_id, epoch, assigned_at) VALUES (?,?,?,?)")) {
            for (Change change : changes) {
                if (change instanceof Joined j) {
                    Worker w = j.worker();
                    join.setString(1, w.id());
                    join.setString(2, w.url());
                    join.setString(3, w.store());
                    join.setInt(4, w.seed() ? 1 : 0);
                    join.setLong(5, w.registeredAt());
                    join.executeUpdate();
                } else if (change instanceof Left l) {
                    leave.setString(1, l.workerId());
                    leave.executeUpdate();
                } else if (change instanceof Assigned a) {
                    Assignment as = a.assignment();
                    assign.setString(1, as.producer());
                    assign.setString(2, as.workerId());
                    assign.setLong(3, as.epoch());
                    assign.setLong(4, as.assignedAt());
                    assign.executeUpdate();
                } else if (change instanceof Held h) {
                    held.setString(1, h.producer());
                    held.setString(2, h.store());
                    held.executeUpdate();
                } else if (change instanceof Erased e) {
                    unassign.setString(1, e.producer());
                    unassign.executeUpdate();
                    unhold.setString(1, e.producer());
                    unhold.executeUpdate();
                } else if (change instanceof AreaSaved a) {
                    saveArea.setString(1, a.name());
                    saveArea.setString(2, a.definition());
                    saveArea.setLong(3, a.createdAt());
                    saveArea.executeUpdate();
                } else if (change instanceof AreaRemoved a) {
                    removeArea.setString(1, a.name());
                    removeArea.executeUpdate();
                } else if (change instanceof KeySaved k) {
                    saveKey.setString(1, k.name());
                    saveKey.setString(2, k.definition());
                    saveKey.setLong(3, k.createdAt());
                    saveKey.executeUpdate();
                } else if (change instanceof KeyRevoked k) {
                    revokeKey.setString(1, k.name());
                    revokeKey.executeUpdate();
                } else if (change instanceof Claimed c) {
                    StoreClaims.Claim cl = c.claim();
                    claim.setString(1, cl.identity());
                    claim.setString(2, cl.proofSha256());
                    claim.setInt(3, cl.shared() ? 1 : 0);
                    claim.setLong(4, cl.claimedAt());
                    claim.executeUpdate();
                }
            }
            connection.commit();
        } catch (SQLException e) {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // the connection is unusable; the next apply reports it
            }
            throw failures.translate("write the balancer state to", e);
        }
    }

    @Override
    public void close() {
        SqliteConnections.closeQuietly(connection);
    }
}
