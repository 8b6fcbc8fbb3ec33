package io.tophat.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The history's monthly partitions ({@code heartbeats_pYYYYMM}, UTC months of the heartbeat's time): created ahead
 * (this month and the next {@link #MONTHS_AHEAD}), and dropped whole by retention once their last millisecond is
 * before the cutoff. Whoever writes the store does it, under an advisory lock, so workers sharing the database
 * do not race.
 */
final class PostgresPartitions {
    static final int MONTHS_AHEAD = 3;
    private static final Logger log = LoggerFactory.getLogger(PostgresPartitions.class);
    private static final long LOCK = 0x746f7068617450L; // "tophatP"
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("'heartbeats_p'yyyyMM");
    private static final String LIST = "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            + " JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace"
            + " WHERE p.relname = 'heartbeats' AND n.nspname = current_schema() AND c.relname LIKE 'heartbeats_p%'";

    private PostgresPartitions() {
    }

    /** Creates the partitions of the month holding {@code nowMillis} and of the months after it that are missing. */
    static void createAhead(Connection connection, long nowMillis) throws SQLException {
        LocalDate month = LocalDate.ofEpochDay(Math.floorDiv(nowMillis, 86_400_000L)).withDayOfMonth(1);
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            st.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
            for (int i = 0; i <= MONTHS_AHEAD; i++) {
                LocalDate start = month.plusMonths(i);
                String name = NAME.format(start);
                st.execute("SAVEPOINT part");
                try {
                    st.execute("CREATE TABLE IF NOT EXISTS " + name + " PARTITION OF heartbeats FOR VALUES FROM ("
                            + millis(start) + ") TO (" + millis(start.plusMonths(1)) + ")");
                    st.execute("RELEASE SAVEPOINT part");
                } catch (SQLException e) {
                    // the default partition holds rows of that month (a device clock ahead): they stay there
                    st.execute("ROLLBACK TO SAVEPOINT part");
                    log.warn("history partition {} cannot be created ({}); its heartbeats stay in heartbeats_default",
                            name, e.getMessage());
                }
            }
            connection.commit();
        } catch (SQLException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Drops the partitions wholly before {@code cutoffMillis}; returns the heartbeats they held. */
    static long dropBefore(Connection connection, long cutoffMillis) throws SQLException {
        List<String> old = new ArrayList<>();
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(LIST)) {
            while (rs.next()) {
                String name = rs.getString(1);
                LocalDate start = LocalDate.parse(name.substring("heartbeats_p".length()) + "01",
                        DateTimeFormatter.BASIC_ISO_DATE);
                if (millis(start.plusMonths(1)) <= cutoffMillis) {
                    old.add(name);
                }
            }
        }
        long dropped = 0;
        for (String name : old) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (Statement st = connection.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + LOCK + ")");
                long rows;
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + name)) {
                    rs.next();
                    rows = rs.getLong(1);
                }
                st.execute("DROP TABLE IF EXISTS " + name);
                connection.commit();
                dropped += rows;
                log.info("retention dropped history partition {} ({} heartbeats)", name, rows);
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(autoCommit);
            }
        }
        return dropped;
    }

    private static long millis(LocalDate day) {
        return day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }
}
