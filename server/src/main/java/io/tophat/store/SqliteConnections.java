package io.tophat.store;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * How the SQLite store gets its file ready and its connections made: the folder, the connection settings
 * (WAL, {@code synchronous}, busy timeout, cache) and the Flyway migrations of its {@link Schema}.
 */
public final class SqliteConnections {

    /** How long a connection waits for a lock held by another process, and a reader for a free connection. */
    static final Duration BUSY_TIMEOUT = Duration.ofSeconds(5);
    /** Page cache of the write connection, in KiB: keeps the indexes' hot pages in memory between batches. */
    static final int WRITE_CACHE_KIB = 64 * 1024;
    /** Page cache of each read connection, in KiB. */
    static final int READ_CACHE_KIB = 16 * 1024;
    /** The history file's schema, and Flyway's table for it (named so that other schemas could share the file). */
    static final Schema HISTORY = new Schema("classpath:db/heartbeats/sqlite", "heartbeats_schema_history",
            1000, 64 * 1024 * 1024, "heartbeat store", "heartbeats.db");
    /**
     * The inbox file's schema. The merger checkpoints the inbox after every merge; its writer checkpoints only as
     * a safety net, when the WAL has grown to 64k pages (256 MiB), because a checkpoint in the writer's commit
     * holds up every heartbeat waiting for it. For the same reason its WAL keeps the size a merge cycle needs
     * (about 130 MB at 40,000 heartbeats/s) instead of being cut back at every restart.
     */
    static final Schema INBOX = new Schema("classpath:db/heartbeats/sqlite-inbox", "inbox_schema_history",
            65_536, 256 * 1024 * 1024, "heartbeat store", "heartbeats.db");

    /**
     * Where a file's migrations are, the table Flyway keeps its own history in, after how many WAL pages the
     * writer's commit checkpoints, the size the WAL file is cut back to when it starts over, what the file is
     * (for messages: "heartbeat store"), and the usual name of such a file.
     */
    public record Schema(String migrations, String historyTable, int autoCheckpointPages, int walSizeLimitBytes,
                         String what, String usualFileName) {
    }

    private static final Logger log = LoggerFactory.getLogger(SqliteConnections.class);


    private final Path file;
    private final String url;
    private final SqliteStoreConfig.Synchronous synchronous;
    private final SqliteFailures failures;
    private final Schema schema;

    /** {@code file} is absolute and normalised. */
    public SqliteConnections(Path file, Schema schema, SqliteStoreConfig.Synchronous synchronous, SqliteFailures failures) {
        this.file = file;
        this.schema = schema;
        this.url = "jdbc:sqlite:" + file;
        this.synchronous = synchronous;
        this.failures = failures;
    }

    /** Refuses a folder where the file should be, and creates the file's missing parent folders. */
    public void prepareFolder() {
        String action = "open the " + schema.what();
        if (Files.isDirectory(file)) {
            throw failures.other(action, "it is a folder; give the path of a database file inside it, for example "
                    + file.resolve(schema.usualFileName()), null);
        }
        Path folder = file.getParent();
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw failures.other(action, "its folder " + folder + " cannot be created (" + e
                    + "); create it or choose a path the process may write to", e);
        }
    }

    /** The connection of the single writer; opening it puts the file in WAL mode. */
    public Connection openWriter() throws SQLException {
        return writeConfig().createConnection(url);
    }

    /** A read-only connection. */
    Connection openReader() throws SQLException {
        SQLiteConfig sqlite = commonConfig(READ_CACHE_KIB);
        sqlite.setReadOnly(true);
        return sqlite.createConnection(url);
    }

    /** Brings the schema up to date. */
    public void migrate() {
        SQLiteDataSource dataSource = new SQLiteDataSource(writeConfig());
        dataSource.setUrl(url);
        try {
            Flyway.configure(SqliteConnections.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations(schema.migrations())
                    .table(schema.historyTable())
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            SQLException cause = sqlCause(e);
            throw cause != null
                    ? failures.translate("migrate the schema of", cause)
                    : failures.other("migrate the schema of", e.getMessage(), e);
        }
    }

    private SQLiteConfig writeConfig() {
        SQLiteConfig sqlite = commonConfig(WRITE_CACHE_KIB);
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(synchronous == SqliteStoreConfig.Synchronous.FULL
                ? SQLiteConfig.SynchronousMode.FULL : SQLiteConfig.SynchronousMode.NORMAL);
        sqlite.setJournalSizeLimit(schema.walSizeLimitBytes());
        sqlite.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, Integer.toString(schema.autoCheckpointPages()));
        sqlite.setGetGeneratedKeys(false);
        return sqlite;
    }

    private static SQLiteConfig commonConfig(int cacheKib) {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setBusyTimeout((int) BUSY_TIMEOUT.toMillis());
        sqlite.setCacheSize(-cacheKib);
        sqlite.setTempStore(SQLiteConfig.TempStore.MEMORY);
        return sqlite;
    }

    /** Closes {@code connection}, logging rather than throwing a failure: used when giving up or shutting down. */
    public static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("Could not close a SQLite connection: {}", e.getMessage());
        }
    }

    private static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }
}
