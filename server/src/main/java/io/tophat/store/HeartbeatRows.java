package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** How every engine reads a heartbeat back from a row: the columns, in this order, then whatever the query adds. */
final class HeartbeatRows {
    /** The columns {@link #heartbeat} reads, in its order. */
    static final String READ_COLUMNS = "producer, location, data, ip_address, received_at, device_time, seq";

    private HeartbeatRows() {
    }

    static Heartbeat heartbeat(ResultSet rs) throws SQLException {
        return new Heartbeat(rs.getString(1), HeartbeatJson.decodeLocation(rs.getString(2)), rs.getString(3),
                rs.getString(4), rs.getLong(5), nullableLong(rs, 6), nullableLong(rs, 7));
    }

    static Optional<Heartbeat> first(PreparedStatement st) throws SQLException {
        try (ResultSet rs = st.executeQuery()) {
            return rs.next() ? Optional.of(heartbeat(rs)) : Optional.empty();
        }
    }

    static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
