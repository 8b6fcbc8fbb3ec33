package io.tophat.client;

import io.tophat.protocol.Heartbeat;

/**
 * A producer crossing an area's boundary.
 *
 * @param area      the area's name
 * @param kind      whether it came in or went out
 * @param producer  the producer's id
 * @param heartbeat the stored heartbeat whose position crossed the boundary
 */
public record AreaEvent(String area, Kind kind, String producer, Heartbeat heartbeat) {
    public enum Kind { ENTER, LEAVE }
}
