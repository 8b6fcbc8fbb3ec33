package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.Location;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/** How a heartbeat is a row in the SQLite files, both ways, and the transaction helpers the writers share. */
final class SqliteRows {
    /** The columns every heartbeat table has (inbox, history, latest), in the order {@link #bind} fills them. */
    static final String COLUMNS = "producer, received_at, seq, device_time, location, lat, lon, label, data, ip_address";
    private SqliteRows() {
    }

    static void bind(PreparedStatement st, Heartbeat hb) throws SQLException {
        Location loc = hb.location();
        st.setString(1, hb.producer());
        st.setLong(2, hb.receivedAt());
        setNullableLong(st, 3, hb.seq());
        setNullableLong(st, 4, hb.deviceTime());
        st.setString(5, HeartbeatJson.encodeLocation(loc));
        setNullableDouble(st, 6, loc.label() == null ? loc.lat() : null);
        setNullableDouble(st, 7, loc.label() == null ? loc.lon() : null);
        st.setString(8, loc.label());
        st.setString(9, hb.data());
        st.setString(10, hb.ipAddress());
    }

    private static void setNullableLong(PreparedStatement st, int index, Long value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.INTEGER);
        } else {
            st.setLong(index, value);
        }
    }

    private static void setNullableDouble(PreparedStatement st, int index, Double value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.REAL);
        } else {
            st.setDouble(index, value);
        }
    }

    /** Rolls back, if SQLite has not already done so itself (as it does after some errors). */
    static void rollback(Statement transaction, Exception failure) {
        try {
            transaction.execute("ROLLBACK");
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }
}
