package io.tophat.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a consumer key may do, as {@code tophat keys add --ops} names it. */
public enum Op {
    /** The latest record and history pages ({@code /get_data}, {@code /api/v1/producers/...}, history, producer lists). */
    READ,
    /** Live streams: a producer's, several producers', the firehose (SSE and WebSocket). */
    STREAM,
    /** "Who is near here" and watched areas (define, list, remove, stream their events). */
    NEAR,
    /** Whole-history exports ({@code format=ndjson|csv|geojson}). */
    EXPORT,
    /** Erasing a producer's data. */
    ERASE;

    /** What a key may do when {@code --ops} is not given. */
    public static final Set<Op> DEFAULT = EnumSet.of(READ, STREAM, NEAR);

    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the operations there are */
    public static Op named(String name) {
        for (Op op : values()) {
            if (op.flag().equals(name.strip().toLowerCase(Locale.ROOT))) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown operation '" + io.tophat.http.WireText.echo(name)
                + "'; use read, stream, near, export or erase");
    }
}
