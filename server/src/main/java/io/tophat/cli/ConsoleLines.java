package io.tophat.cli;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;

import java.time.Instant;
import java.util.Locale;

/** How the consumer commands print records for people: one line each, fields separated by two spaces. */
final class ConsoleLines {
    private ConsoleLines() {
    }

    /** {@code TIME  PRODUCER  POSITION  DATA}: the heartbeat's time (device time when it had one), ISO-8601. */
    static String heartbeat(Heartbeat hb) {
        return Instant.ofEpochMilli(hb.time()) + "  " + hb.producer() + "  " + position(hb.location()) + "  " + hb.data();
    }

    static String position(Location location) {
        if (location == null) {
            return "-";
        }
        if (!location.isPosition()) {
            return "\"" + location.label() + "\"";
        }
        return String.format(Locale.ROOT, "%.6f,%.6f", location.lat(), location.lon());
    }
}
