package io.tophat.balancer;

import io.tophat.store.SqliteConnections;
import io.tophat.store.SqliteFailures;
import io.tophat.store.SqliteStoreConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The balancer's state on disk (a small SQLite file): workers and assignments, written in batches by one
 * thread, read once at start.
 */
public final class BalancerStore implements AutoCloseable {

    /** One change to the balancer's state. */
    public sealed interface Change {
    }

    public record Joined(Worker worker) implements Change {
    }

    public record Left(String workerId) implements Change {
    }

    public record Assigned(Assignment assignment) implements Change {
    }

    /** What the balancer knew when it stopped. */
    public record State(List<Worker> workers, List<Assignment> assignments) {
    }

    /** The balancer's schema; Flyway's history table keeps its default name, as in files made before. */
    private static final SqliteConnections.Schema SCHEMA = new SqliteConnections.Schema("classpath:db/balancer/sqlite",
            "flyway_schema_history", 1000, 8 * 1024 * 1024, "balancer state", "balancer.db");

    private final SqliteFailures failures;
    private final Connection connection;

    private BalancerStore(SqliteFailures failures, Connection connection) {
        this.failures = failures;
        this.connection = connection;
    }

    /** Opens (creating when missing) the state file, through the same connection settings as the worker's store. */
    public static BalancerStore open(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        SqliteFailures failures = new SqliteFailures(absolute);
        SqliteConnections database = new SqliteConnections(absolute, SCHEMA, SqliteStoreConfig.Synchronous.NORMAL,
                failures);
        database.prepareFolder();
        Connection connection = null;
        try {
            connection = database.openWriter();
            database.migrate();
            connection.setAutoCommit(false);
            return new BalancerStore(failures, connection);
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

    public State load() {
        try (Statement s = connection.createStatement()) {
            List<Worker> workers = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(
                    "SELECT id, url, store, lease_interval_ms, registered_at FROM workers ORDER BY registered_at")) {
                while (rs.next()) {
                    workers.add(new Worker(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                            rs.getLong(5)));
                }
            }
            List<Assignment> assignments = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT producer, worker_id, epoch, assigned_at FROM assignments")) {
                while (rs.next()) {
                    assignments.add(new Assignment(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4)));
                }
            }
            connection.commit();
            return new State(workers, assignments);
        } catch (SQLException e) {
            throw failures.translate("read the balancer state in", e);
        }
    }

    /** Applies the changes in order, in one transaction. Called from one thread. */
    public void apply(List<Change> changes) {
        try (PreparedStatement join = connection.prepareStatement(
                "INSERT OR REPLACE INTO workers (id, url, store, lease_interval_ms, registered_at) VALUES (?,?,?,?,?)");
             PreparedStatement leave = connection.prepareStatement("DELETE FROM workers WHERE id = ?");
             PreparedStatement assign = connection.prepareStatement(
                     "INSERT OR REPLACE INTO assignments (producer, worker_id, epoch, assigned_at) VALUES (?,?,?,?)")) {
            for (Change change : changes) {
                if (change instanceof Joined j) {
                    Worker w = j.worker();
                    join.setString(1, w.id());
                    join.setString(2, w.url());
                    join.setString(3, w.store());
                    join.setLong(4, w.leaseIntervalMs());
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
