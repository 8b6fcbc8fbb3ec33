package io.tophat.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of read-only connections lent to one thread at a time. A reader waits at most {@code maxWait}
 * for a free connection, then gets a {@link StoreException} rather than queueing without bound.
 */
final class SqliteReadPool implements AutoCloseable {

    /** Work done on a borrowed connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private static final Logger log = LoggerFactory.getLogger(SqliteReadPool.class);

    private final List<Connection> all;
    private final BlockingQueue<Connection> idle;
    private final Duration maxWait;
    private final SqliteFailures failures;
    private volatile boolean closed;

    SqliteReadPool(List<Connection> connections, Duration maxWait, SqliteFailures failures) {
        this.all = List.copyOf(connections);
        this.idle = new ArrayBlockingQueue<>(all.size(), false, all);
        this.maxWait = maxWait;
        this.failures = failures;
    }

    /** Runs {@code work} on a free connection; {@code action} names the work in error messages. */
    <T> T read(String action, SqlWork<T> work) {
        Connection connection = borrow(action);
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw failures.reported(action, e);
        } finally {
            idle.offer(connection);
        }
    }

    private Connection borrow(String action) {
        if (closed) {
            throw failures.reportedOther(action, "the store is closed", "the store is closed", null);
        }
        try {
            Connection connection = idle.poll(maxWait.toMillis(), TimeUnit.MILLISECONDS);
            if (connection == null) {
                throw failures.reportedOther(action, "all " + all.size() + " read connections stayed busy for "
                        + maxWait.toMillis() + " ms; raise the number of read connections or lower the read load",
                        "the store is busy", null);
            }
            return connection;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failures.other(action, "interrupted while waiting for a read connection", e);
        }
    }

    /** Waits up to {@code maxWait} for lent connections to come back, then closes every connection. */
    @Override
    public void close() {
        closed = true;
        long deadline = System.nanoTime() + maxWait.toNanos();
        try {
            for (int back = 0; back < all.size(); back++) {
                if (idle.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) == null) {
                    log.warn("Closing {} of {} read connections while they are still in use",
                            all.size() - back, all.size());
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        all.forEach(SqliteConnections::closeQuietly);
    }
}
