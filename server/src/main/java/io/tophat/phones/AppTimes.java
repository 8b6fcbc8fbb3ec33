package io.tophat.phones;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** The apps' ways of writing when a position was taken, to epoch milliseconds. */
final class AppTimes {
    /** Below this an integer OsmAnd timestamp is seconds; from it on, milliseconds (as Traccar reads them). */
    static final long SECONDS_BELOW = 1L << 31;
    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");

    private AppTimes() {
    }

    /**
     * An OsmAnd {@code timestamp}: an integer below 2^31 is seconds, from 2^31 on milliseconds; a value with
     * {@code T} is ISO-8601 (with an offset, or UTC without); else {@code yyyy-MM-dd HH:mm:ss} in UTC.
     */
    static long osmand(String value) {
        String v = value.strip();
        try {
            if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                long n = Long.parseLong(v);
                return n < SECONDS_BELOW ? n * 1000 : n;
            }
            if (v.indexOf('T') >= 0) {
                return iso(v);
            }
            return LocalDateTime.parse(v, SPACED).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new PhoneMessageException("invalid timestamp", "timestamp is seconds or milliseconds since 1970, "
                    + "ISO-8601, or yyyy-MM-dd HH:mm:ss (UTC)");
        }
    }

    /** An ISO-8601 instant, date-time with offset, or local date-time taken as UTC. */
    static long iso(String v) {
        try {
            return OffsetDateTime.parse(v).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(v).toEpochMilli();
            } catch (DateTimeParseException again) {
                return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
        }
    }

    /** An OwnTracks {@code tst}: whole seconds since 1970. */
    static long ownTracks(long seconds) {
        if (seconds < 0 || seconds > Long.MAX_VALUE / 1000) {
            throw new PhoneMessageException("invalid tst", "tst is whole seconds since 1970");
        }
        return seconds * 1000;
    }
}
