package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.Location;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A batch into PostgreSQL in one statement, so one round trip and one implicit transaction: it takes the batch's
 * commit keys (the row lock on {@code store_info} orders every writer's commits), claims each (producer, seq) in
 * {@code seqs}, inserts into the history what it could claim (and every heartbeat without a seq), and moves each
 * producer's latest forward. The batch travels as arrays, one per column.
 */
final class PostgresAppend {
    private static final String COLUMNS = "producer, time, received_at, seq, device_time, location, lat, lon, data, ip_address";
    static final String SQL = "WITH k AS (UPDATE store_info SET last_key = last_key + ? WHERE id = 1"
            + " RETURNING last_key - ? AS base),"
            + " input AS (SELECT * FROM unnest(?::int[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],"
            + " ?::text[], ?::float8[], ?::float8[], ?::text[], ?::text[], ?::text[])"
            + " AS t(ord, producer, time, received_at, seq, device_time, location, lat, lon, label, data, ip_address)),"
            + " claimed AS (INSERT INTO seqs (producer, seq, time) SELECT producer, seq, time FROM input"
            + " WHERE seq IS NOT NULL ON CONFLICT DO NOTHING RETURNING producer, seq),"
            + " stored AS (INSERT INTO heartbeats (key, label, " + COLUMNS + ")"
            + " SELECT k.base + i.ord + 1, i.label, i.producer, i.time, i.received_at, i.seq, i.device_time, i.location,"
            + " i.lat, i.lon, i.data, i.ip_address FROM input i CROSS JOIN k"
            + " WHERE i.seq IS NULL OR EXISTS (SELECT 1 FROM claimed c WHERE c.producer = i.producer AND c.seq = i.seq)"
            + " RETURNING key, " + COLUMNS + "),"
            + " newest AS (SELECT DISTINCT ON (producer) * FROM stored ORDER BY producer, time DESC, key DESC),"
            + " moved AS (INSERT INTO latest (key, " + COLUMNS + ") SELECT key, " + COLUMNS + " FROM newest"
            + " ON CONFLICT (producer) DO UPDATE SET key = EXCLUDED.key, time = EXCLUDED.time,"
            + " received_at = EXCLUDED.received_at, seq = EXCLUDED.seq, device_time = EXCLUDED.device_time,"
            + " location = EXCLUDED.location, lat = EXCLUDED.lat, lon = EXCLUDED.lon, data = EXCLUDED.data,"
            + " ip_address = EXCLUDED.ip_address WHERE latest.time <= EXCLUDED.time RETURNING 1)"
            + " SELECT base + 1, (SELECT count(*) FROM moved) FROM k";

    private PostgresAppend() {
    }

    /** Runs the batch (not empty) on {@code connection} in autocommit; returns the first commit key. */
    static long run(Connection connection, List<Heartbeat> batch) throws SQLException {
        int n = batch.size();
        List<Integer> ords = new ArrayList<>(n);
        Set<String> claimedHere = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Heartbeat hb = batch.get(i);
            // a (producer, seq) twice in one batch: the first is the heartbeat, the others its retries
            if (hb.seq() == null || claimedHere.add(hb.producer() + '\u0000' + hb.seq())) {
                ords.add(i);
            }
        }
        int m = ords.size();
        Integer[] ord = new Integer[m];
        String[] producer = new String[m], location = new String[m], label = new String[m], data = new String[m],
                ip = new String[m];
        Long[] time = new Long[m], receivedAt = new Long[m], seq = new Long[m], deviceTime = new Long[m];
        Double[] lat = new Double[m], lon = new Double[m];
        for (int j = 0; j < m; j++) {
            Heartbeat hb = batch.get(ords.get(j));
            Location loc = hb.location();
            ord[j] = ords.get(j);
            producer[j] = hb.producer();
            time[j] = hb.time();
            receivedAt[j] = hb.receivedAt();
            seq[j] = hb.seq();
            deviceTime[j] = hb.deviceTime();
            location[j] = HeartbeatJson.encodeLocation(loc);
            lat[j] = loc.label() == null ? loc.lat() : null;
            lon[j] = loc.label() == null ? loc.lon() : null;
            label[j] = loc.label() == null ? null : labelKey(loc.label());
            data[j] = hb.data();
            ip[j] = hb.ipAddress();
        }
        try (PreparedStatement st = connection.prepareStatement(SQL)) {
            st.setLong(1, n);
            st.setLong(2, n);
            st.setArray(3, connection.createArrayOf("int4", ord));
            st.setArray(4, connection.createArrayOf("text", producer));
            st.setArray(5, connection.createArrayOf("int8", time));
            st.setArray(6, connection.createArrayOf("int8", receivedAt));
            st.setArray(7, connection.createArrayOf("int8", seq));
            st.setArray(8, connection.createArrayOf("int8", deviceTime));
            st.setArray(9, connection.createArrayOf("text", location));
            st.setArray(10, connection.createArrayOf("float8", lat));
            st.setArray(11, connection.createArrayOf("float8", lon));
            st.setArray(12, connection.createArrayOf("text", label));
            st.setArray(13, connection.createArrayOf("text", data));
            st.setArray(14, connection.createArrayOf("text", ip));
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("the store has no store_info row: it was not created by TopHat");
                }
                return rs.getLong(1);
            }
        }
    }

    /**
     * The label as an index key: PostgreSQL text cannot hold U+0000, which a JSON string may, so backslashes are
     * doubled and NUL written {@code \0}. One-to-one, so a lookup by the same key finds exactly that label.
     */
    static String labelKey(String label) {
        if (label.indexOf('\\') < 0 && label.indexOf('\u0000') < 0) {
            return label;
        }
        return label.replace("\\", "\\\\").replace("\u0000", "\\0");
    }
}
