package io.tophat.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class SqliteFailuresTest {

    private final Path file = Path.of("/var/lib/tophat/heartbeats.db");
    private final SqliteFailures failures = new SqliteFailures(file);

    private static SQLiteException sqlite(SQLiteErrorCode code) {
        return new SQLiteException("[" + code.name() + "] " + code.message, code);
    }

    @Test
    void a_full_disk_says_so_names_the_file_and_what_was_being_done() {
        SQLiteException cause = sqlite(SQLiteErrorCode.SQLITE_FULL);

        StoreException e = failures.translate("append 1000 heartbeats to", cause);

        assertThat(e).hasMessage("cannot append 1000 heartbeats to /var/lib/tophat/heartbeats.db: the disk is full;"
                + " free space on the disk that holds the file").hasCause(cause);
    }

    @Test
    void an_extended_result_code_is_read_by_its_primary_code() {
        StoreException e = failures.translate("read from", sqlite(SQLiteErrorCode.SQLITE_IOERR_WRITE));

        assertThat(e.getMessage()).contains("input/output error").contains(file.toString());
    }

    @Test
    void a_lock_held_by_another_process_tells_the_operator_to_give_each_worker_its_own_file() {
        assertThat(failures.translate("append 1 heartbeats to", sqlite(SQLiteErrorCode.SQLITE_BUSY_TIMEOUT)))
                .hasMessageContaining("locked by another process").hasMessageContaining("its own file");
    }

    @Test
    void a_sqlite_error_wrapped_by_a_batch_failure_is_still_recognised() {
        BatchUpdateException batch = new BatchUpdateException("batch entry 3: failed", null, 0, new int[0],
                sqlite(SQLiteErrorCode.SQLITE_CORRUPT));

        assertThat(failures.translate("append 10 heartbeats to", batch)).hasMessageContaining("corrupt");
    }

    @Test
    void an_unknown_error_keeps_the_drivers_message() {
        SQLException odd = new SQLException("something odd");

        assertThat(failures.translate("count the history in", odd))
                .hasMessage("cannot count the history in /var/lib/tophat/heartbeats.db: something odd");
    }
}
