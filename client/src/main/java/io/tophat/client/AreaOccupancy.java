package io.tophat.client;

import io.tophat.protocol.Location;

import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * Who is inside an area now ({@link TopHatConsumer#area}).
 *
 * @param complete false when a worker did not answer: producers it holds may be missing
 */
public record AreaOccupancy(Area area, List<Occupant> inside, boolean complete, List<String> missing) {
    public AreaOccupancy {
        inside = List.copyOf(inside);
        missing = List.copyOf(missing);
    }

    /** A producer whose latest position lies inside, with that position's time and the worker that holds it. */
    public record Occupant(String producer, Location location, Instant time, URI worker) {
    }
}
