package io.tophat.store;

import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteException;

import java.nio.file.Path;
import java.sql.SQLException;

/**
 * The one place where SQLite's errors become {@link StoreException}s: the message says what failed, on which
 * file, why in words an operator knows, and what to do about it. The driver's exception stays as the cause.
 */
public final class SqliteFailures {

    // SQLite's primary result codes (https://www.sqlite.org/rescode.html); extended codes keep them in the low byte.
    private static final int PERM = 3;
    private static final int BUSY = 5;
    private static final int LOCKED = 6;
    private static final int NOMEM = 7;
    private static final int READONLY = 8;
    private static final int IOERR = 10;
    private static final int CORRUPT = 11;
    private static final int FULL = 13;
    private static final int CANTOPEN = 14;
    private static final int CONSTRAINT = 19;
    private static final int AUTH = 23;
    private static final int NOTADB = 26;

    private final Path file;
    private final FailureLog log = new FailureLog(LoggerFactory.getLogger(SqliteFailures.class));

    public SqliteFailures(Path file) {
        this.file = file;
    }

    /**
     * Translates {@code e}, raised while doing {@code action} (a phrase such as "append 10 heartbeats to"),
     * into a {@link StoreException} whose message reads "cannot {action} {file}: {reason}", and whose
     * {@link StoreException#condition() condition}, for clients, names neither.
     */
    public StoreException translate(String action, SQLException e) {
        return new StoreException("cannot " + action + " " + file + ": " + reason(e), condition(e), e);
    }

    /**
     * As {@link #translate}, and logged for the operator (at most once a minute for the same condition): for the
     * failures a client is answered for and nothing else logs, such as reads and erasures. The writer, the merger
     * and retention log their own failures, once for a run of them.
     */
    public StoreException reported(String action, SQLException e) {
        return log.report(translate(action, e));
    }

    /** A failure that did not come from SQLite, such as a folder that cannot be created. */
    public StoreException other(String action, String reason, Throwable cause) {
        return other(action, reason, StoreException.UNAVAILABLE, cause);
    }

    /** The same, with the {@link StoreException#condition() condition} a client is told. */
    public StoreException other(String action, String reason, String condition, Throwable cause) {
        return new StoreException("cannot " + action + " " + file + ": " + reason, condition, cause);
    }

    /** A failure that did not come from SQLite while serving a client, with the condition it is told; logged as above. */
    public StoreException reportedOther(String action, String reason, String condition, Throwable cause) {
        return log.report(other(action, reason, condition, cause));
    }

    /** The condition behind {@code e} in a few words a client may read: no file name, no driver message. */
    private static String condition(SQLException e) {
        return switch (primaryCode(e)) {
            case FULL -> "the disk is full";
            case BUSY, LOCKED -> "the store is locked by another process";
            case NOTADB, CORRUPT -> "the store's file is damaged";
            case CANTOPEN -> "the store's file cannot be opened";
            case READONLY, PERM, AUTH -> "the store may not be written";
            case IOERR -> "a disk input/output error occurred";
            case NOMEM -> "the store ran out of memory";
            default -> StoreException.UNAVAILABLE;
        };
    }

    private String reason(SQLException e) {
        return switch (primaryCode(e)) {
            case FULL -> "the disk is full; free space on the disk that holds the file";
            case BUSY, LOCKED -> "the database is locked by another process; make sure only one TopHat process uses"
                    + " this file, or give each process its own file";
            case NOTADB -> "the file is not a SQLite database; point the store at another file or move this one away";
            case CORRUPT -> "the database file is corrupt; restore it from a backup, or move it away to start"
                    + " an empty store (sqlite3's .recover command may save its data)";
            case CANTOPEN -> "the file cannot be opened; check that its folder exists and that the process may"
                    + " read and write both the folder and the file";
            case READONLY -> "the database is read-only; give the process write permission on the file, its folder"
                    + " and its -wal and -shm files";
            case PERM, AUTH -> "access was denied; give the process read and write permission on the file and its folder";
            case IOERR -> "a disk input/output error occurred (" + e.getMessage() + "); check the disk and the"
                    + " file system";
            case NOMEM -> "SQLite ran out of memory; give the process more memory";
            case CONSTRAINT -> "a value broke a database constraint (" + e.getMessage() + ")";
            default -> e.getMessage();
        };
    }

    /** SQLite's primary result code, found on {@code e} or on the exception it wraps (as batch failures do). */
    private static int primaryCode(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException sqlite) {
                return sqlite.getResultCode().code & 0xff;
            }
        }
        SQLException next = e.getNextException();
        return next != null && next != e ? primaryCode(next) : e.getErrorCode() & 0xff;
    }
}
