package io.tophat.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** What the PostgreSQL stores share: how a pool is made and how a schema is migrated. */
public final class PostgresDatabase {
    private PostgresDatabase() {
    }

    /** A pool with the store's statement timeout on every connection, failing fast when the server is away. */
    public static HikariDataSource pool(PostgresStoreConfig config, String name) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.url());
        if (config.password() != null) {
            hikari.setPassword(config.password());
        }
        hikari.setPoolName(name);
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(1_000); // also caps Hikari's reconnect backoff at half of it
        hikari.setValidationTimeout(1_000);
        hikari.setSchema(config.schema());
        hikari.setConnectionInitSql("SET statement_timeout = " + config.statementTimeout().toMillis());
        hikari.addDataSourceProperty("ApplicationName", "tophat");
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        try {
            return new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to the PostgreSQL store at " + config.description() + ": "
                    + rootMessage(e), e);
        }
    }

    /** What runs on one pooled connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs the work on a pooled connection. When that connection turns out broken (the server restarted, or the
     * link was cut while it sat in the pool, so the pool's check was skipped for a connection used moments before),
     * every idle connection is dropped and the work runs once more on a fresh one. The stores' work is idempotent
     * (appends on (producer, seq), upserts), so a commit whose answer was lost does no harm when run again.
     */
    public static <T> T withConnection(HikariDataSource pool, Work<T> work) throws SQLException {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            if (!isBrokenConnection(e)) {
                throw e;
            }
            pool.getHikariPoolMXBean().softEvictConnections();
        }
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        }
    }

    /** A connection broken under the call (SQL state class 08), not the pool's timeout for finding one. */
    private static boolean isBrokenConnection(SQLException e) {
        return !(e instanceof SQLTransientConnectionException)
                && e.getSQLState() != null && e.getSQLState().startsWith("08");
    }

    public static void migrate(HikariDataSource pool, PostgresStoreConfig config, String location, String table) {
        try {
            Flyway.configure(PostgresDatabase.class.getClassLoader())
                    .dataSource(pool)
                    .schemas(config.schema())
                    .defaultSchema(config.schema())
                    .locations("classpath:" + location)
                    .table(table)
                    .failOnMissingLocations(true)
                    // workers and balancers may share one schema, each with its own history table: a schema that
                    // holds the other's tables already is taken as empty of this one's (baseline 0, then V1 on)
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new StoreException("cannot migrate the schema at " + config.description()
                    + ": " + rootMessage(e), e);
        }
    }

    /** The condition of a store whose database cannot be reached. */
    public static final String UNREACHABLE = "the database cannot be reached";

    /**
     * What a PostgreSQL failure means, in a few words a client may read (no host, no URL, no server message), by
     * its SQL state: no connection, a timeout, resources exhausted, or another failure.
     */
    public static String condition(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (e instanceof SQLTransientConnectionException || state.startsWith("08") || state.startsWith("57P")) {
            return UNREACHABLE;
        }
        if (state.equals("57014")) {
            return "the database did not answer in time";
        }
        if (state.startsWith("53")) {
            return "the database is out of resources (disk, memory or connections)";
        }
        if (state.equals("25006")) {
            return "the database is read-only";
        }
        return "the database failed the request";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
