package io.tophat.balancer;

import io.tophat.store.StoreException;
import org.flywaydb.core.Flyway;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
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

    private final Path file;
    private final Connection connection;

    private BalancerStore(Path file, Connection connection) {
        this.file = file;
        this.connection = connection;
    }

    public static BalancerStore open(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            String url = "jdbc:sqlite:" + file.toAbsolutePath();
            Flyway.configure().dataSource(url, null, null)
                    .locations("classpath:db/balancer/sqlite")
                    .loggers("slf4j")
                    .load().migrate();
            Connection connection = DriverManager.getConnection(url);
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=5000");
            }
            connection.setAutoCommit(false);
            return new BalancerStore(file, connection);
        } catch (Exception e) {
            throw new StoreException("cannot open the balancer state at " + file
                    + " (is it a TopHat balancer file, and is its folder writable?): " + e.getMessage(), e);
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
            throw new StoreException("cannot read the balancer state at " + file + ": " + e.getMessage(), e);
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
            throw new StoreException("cannot write the balancer state at " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the balancer state at " + file, e);
        }
    }
}
