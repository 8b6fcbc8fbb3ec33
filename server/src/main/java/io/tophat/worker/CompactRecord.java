package io.tophat.worker;

import io.tophat.geo.NearIndex;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A heartbeat packed into one byte array for the latest cache (the producer id is the cache key, not stored):
 * {@code receivedAt:8 flags:1 [deviceTime:8] [seq:8] location ip:(1+n) data:rest}, where a location is a
 * label {@code (2+n)} or {@code lat:8 lon:8} plus the optional doubles the flags name and, when the producer
 * sent other members, their JSON text {@code (4+n)}. About 100 bytes for a
 * typical heartbeat instead of a tree of a dozen objects, and the data's JSON text is served as a slice.
 */
final class CompactRecord {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private static final int DEVICE_TIME = 1;
    private static final int SEQ = 1 << 1;
    private static final int LABEL = 1 << 2;
    private static final int ALT = 1 << 3;
    private static final int ACCURACY = 1 << 4;
    private static final int SPEED = 1 << 5;
    private static final int BEARING = 1 << 6;
    private static final int EXTRAS = 1 << 7;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /**
     * A record's position as the near index reads it, so the index can hold the cache's record itself. Only for
     * records with coordinates (not a label); {@link NearIndex.Layout#pack} makes a record of just the position.
     */
    static final NearIndex.Layout POSITIONS = new NearIndex.Layout() {
        @Override
        public double lat(byte[] record) {
            return (double) DOUBLE.get(record, locationOffset(record));
        }

        @Override
        public double lon(byte[] record) {
            return (double) DOUBLE.get(record, locationOffset(record) + 8);
        }

        @Override
        public long time(byte[] record) {
            return CompactRecord.time(record);
        }

        @Override
        public byte[] pack(double lat, double lon, long time) {
            return position(lat, lon, time);
        }
    };

    private CompactRecord() {
    }

    /** A record of just a position and its time (received then, no ip, no data): 26 bytes, for the near index. */
    static byte[] position(double lat, double lon, long time) {
        byte[] out = new byte[9 + 16 + 1];
        LONG.set(out, 0, time);
        DOUBLE.set(out, 9, lat);
        DOUBLE.set(out, 17, lon);
        return out;
    }

    static byte[] encode(Heartbeat hb) {
        Location loc = hb.location();
        byte[] label = loc.label() == null ? null : loc.label().getBytes(StandardCharsets.UTF_8);
        byte[] extras = loc.extras() == null ? null : loc.extras().getBytes(StandardCharsets.UTF_8);
        byte[] ip = hb.ipAddress().getBytes(StandardCharsets.UTF_8);
        byte[] data = hb.data().getBytes(StandardCharsets.UTF_8);
        int flags = (hb.deviceTime() != null ? DEVICE_TIME : 0) | (hb.seq() != null ? SEQ : 0)
                | (label != null ? LABEL : 0) | (loc.alt() != null ? ALT : 0) | (loc.accuracy() != null ? ACCURACY : 0)
                | (loc.speed() != null ? SPEED : 0) | (loc.bearing() != null ? BEARING : 0)
                | (extras != null ? EXTRAS : 0);
        int size = 9 + (hb.deviceTime() != null ? 8 : 0) + (hb.seq() != null ? 8 : 0)
                + (label != null ? 2 + label.length : 16 + 8 * Integer.bitCount(flags & (ALT | ACCURACY | SPEED | BEARING)))
                + (extras != null ? 4 + extras.length : 0) + 1 + ip.length + data.length;
        byte[] out = new byte[size];
        LONG.set(out, 0, hb.receivedAt());
        out[8] = (byte) flags;
        int p = 9;
        if (hb.deviceTime() != null) {
            LONG.set(out, p, (long) hb.deviceTime());
            p += 8;
        }
        if (hb.seq() != null) {
            LONG.set(out, p, (long) hb.seq());
            p += 8;
        }
        if (label != null) {
            SHORT.set(out, p, (short) label.length);
            System.arraycopy(label, 0, out, p + 2, label.length);
            p += 2 + label.length;
        } else {
            p = putDouble(out, p, loc.lat());
            p = putDouble(out, p, loc.lon());
            p = putDouble(out, p, loc.alt());
            p = putDouble(out, p, loc.accuracy());
            p = putDouble(out, p, loc.speed());
            p = putDouble(out, p, loc.bearing());
            if (extras != null) {
                INT.set(out, p, extras.length);
                System.arraycopy(extras, 0, out, p + 4, extras.length);
                p += 4 + extras.length;
            }
        }
        out[p++] = (byte) ip.length;
        System.arraycopy(ip, 0, out, p, ip.length);
        p += ip.length;
        System.arraycopy(data, 0, out, p, data.length);
        return out;
    }

    private static int putDouble(byte[] out, int p, Double value) {
        if (value == null) {
            return p;
        }
        DOUBLE.set(out, p, (double) value);
        return p + 8;
    }

    static long receivedAt(byte[] record) {
        return (long) LONG.get(record, 0);
    }

    /**
     * True when {@code fresh}, which arrived after {@code held}, replaces it as a producer's latest: its time
     * (device time, else receipt) is not earlier, a tie going to the later arrival, and it is not a retry of
     * {@code held} (the same seq). A seq never ranks heartbeats, so no claimed seq can freeze a latest.
     */
    static boolean supersedes(byte[] fresh, byte[] held) {
        if (time(fresh) < time(held)) {
            return false;
        }
        return (fresh[8] & SEQ) == 0 || (held[8] & SEQ) == 0 || seq(fresh) != seq(held);
    }

    /** The heartbeat's time: its device time when it has one, else when it was received. */
    static long time(byte[] record) {
        return (record[8] & DEVICE_TIME) != 0 ? (long) LONG.get(record, 9) : receivedAt(record);
    }

    private static long seq(byte[] record) {
        return (long) LONG.get(record, 9 + ((record[8] & DEVICE_TIME) != 0 ? 8 : 0));
    }

    /** Where the data's JSON text starts; it runs to the end of the array. */
    static int dataOffset(byte[] record) {
        int ip = ipOffset(record);
        return ip + 1 + (record[ip] & 0xff);
    }

    private static int locationOffset(byte[] record) {
        int flags = record[8];
        return 9 + ((flags & DEVICE_TIME) != 0 ? 8 : 0) + ((flags & SEQ) != 0 ? 8 : 0);
    }

    private static int ipOffset(byte[] record) {
        int p = extrasOffset(record);
        return (record[8] & EXTRAS) != 0 ? p + 4 + (int) INT.get(record, p) : p;
    }

    /** Where the extras' length stands, when the flags say there are extras; else where the ip starts. */
    private static int extrasOffset(byte[] record) {
        int flags = record[8];
        int p = locationOffset(record);
        if ((flags & LABEL) != 0) {
            return p + 2 + (short) SHORT.get(record, p);
        }
        return p + 16 + 8 * Integer.bitCount(flags & (ALT | ACCURACY | SPEED | BEARING));
    }

    /**
     * Writes the record as {@link io.tophat.protocol.HeartbeatJson#encode} does, byte for byte, without decoding it
     * into objects: the data and a position's extras are copied as stored. Null for what needs escaping (a
     * location label, an ip address with a quote, backslash or control character): the caller encodes those with
     * Jackson.
     */
    static byte[] json(String producer, byte[] record) {
        int flags = record[8];
        if ((flags & LABEL) != 0) {
            return null;
        }
        int ip = ipOffset(record);
        int ipLength = record[ip] & 0xff;
        for (int i = ip + 1; i <= ip + ipLength; i++) {
            if (record[i] == '"' || record[i] == '\\' || (record[i] & 0xff) < 0x20) {
                return null;
            }
        }
        JsonBytes out = new JsonBytes(producer.length() + record.length + 256);
        out.ascii("{\"producer\":\"").ascii(producer).ascii("\",\"location\":{\"lat\":");
        int p = locationOffset(record);
        out.ascii(Double.toString((double) DOUBLE.get(record, p))).ascii(",\"lon\":")
                .ascii(Double.toString((double) DOUBLE.get(record, p + 8)));
        p += 16;
        p = optional(out, record, p, flags, ALT, ",\"alt\":");
        p = optional(out, record, p, flags, ACCURACY, ",\"accuracy\":");
        p = optional(out, record, p, flags, SPEED, ",\"speed\":");
        p = optional(out, record, p, flags, BEARING, ",\"bearing\":");
        if ((flags & EXTRAS) != 0) {
            out.ascii(",").bytes(record, p + 4, (int) INT.get(record, p));
        }
        int data = ip + 1 + ipLength;
        out.ascii("},\"data\":").bytes(record, data, record.length - data)
                .ascii(",\"ip_address\":\"").bytes(record, ip + 1, ipLength)
                .ascii("\",\"time\":").ascii(Long.toString(time(record)))
                .ascii(",\"received_at\":").ascii(Long.toString(receivedAt(record)));
        if ((flags & DEVICE_TIME) != 0) {
            out.ascii(",\"device_time\":").ascii(Long.toString((long) LONG.get(record, 9)));
        }
        if ((flags & SEQ) != 0) {
            out.ascii(",\"seq\":").ascii(Long.toString(seq(record)));
        }
        return out.ascii("}").toArray();
    }

    private static int optional(JsonBytes out, byte[] record, int p, int flags, int flag, String member) {
        if ((flags & flag) == 0) {
            return p;
        }
        out.ascii(member).ascii(Double.toString((double) DOUBLE.get(record, p)));
        return p + 8;
    }

    /** A byte array written from the front, sized for the record: ASCII text and stored bytes. */
    private static final class JsonBytes {
        private byte[] bytes;
        private int length;

        JsonBytes(int capacity) {
            bytes = new byte[capacity];
        }

        JsonBytes ascii(String text) {
            ensure(text.length());
            for (int i = 0; i < text.length(); i++) {
                bytes[length++] = (byte) text.charAt(i);
            }
            return this;
        }

        JsonBytes bytes(byte[] from, int offset, int count) {
            ensure(count);
            System.arraycopy(from, offset, bytes, length, count);
            length += count;
            return this;
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }

        byte[] toArray() {
            return length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
        }
    }

    static Heartbeat decode(String producer, byte[] record) {
        int flags = record[8];
        int p = 9;
        Long deviceTime = null;
        Long seq = null;
        if ((flags & DEVICE_TIME) != 0) {
            deviceTime = (long) LONG.get(record, p);
            p += 8;
        }
        if ((flags & SEQ) != 0) {
            seq = (long) LONG.get(record, p);
            p += 8;
        }
        Location location;
        if ((flags & LABEL) != 0) {
            int n = (short) SHORT.get(record, p);
            location = Location.label(new String(record, p + 2, n, StandardCharsets.UTF_8));
        } else {
            double lat = (double) DOUBLE.get(record, p);
            double lon = (double) DOUBLE.get(record, p + 8);
            p += 16;
            Double alt = null, accuracy = null, speed = null, bearing = null;
            if ((flags & ALT) != 0) {
                alt = (double) DOUBLE.get(record, p);
                p += 8;
            }
            if ((flags & ACCURACY) != 0) {
                accuracy = (double) DOUBLE.get(record, p);
                p += 8;
            }
            if ((flags & SPEED) != 0) {
                speed = (double) DOUBLE.get(record, p);
                p += 8;
            }
            if ((flags & BEARING) != 0) {
                bearing = (double) DOUBLE.get(record, p);
            }
            String extras = null;
            if ((flags & EXTRAS) != 0) {
                int at = extrasOffset(record);
                extras = new String(record, at + 4, (int) INT.get(record, at), StandardCharsets.UTF_8);
            }
            location = new Location(lat, lon, alt, accuracy, speed, bearing, null, extras);
        }
        int ip = ipOffset(record);
        int ipLength = record[ip] & 0xff;
        String ipAddress = new String(record, ip + 1, ipLength, StandardCharsets.UTF_8);
        int data = ip + 1 + ipLength;
        return new Heartbeat(producer, location, new String(record, data, record.length - data, StandardCharsets.UTF_8),
                ipAddress, receivedAt(record), deviceTime, seq);
    }
}
