package io.tophat.phones;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One position a phone app reported, in TopHat's units: degrees, metres, metres a second, degrees from north.
 * It becomes one heartbeat; its {@code seq} is its device time, so a point the app sends again is stored once.
 *
 * @param lat        latitude, degrees
 * @param lon        longitude, degrees
 * @param alt        altitude, metres, or null
 * @param accuracy   horizontal accuracy, metres, or null
 * @param speed      metres a second, or null
 * @param bearing    degrees clockwise from north, or null
 * @param deviceTime when the phone took the position, epoch milliseconds; null when the app sent no time
 * @param data       everything else the app sent, as JSON members
 */
public record PhoneFix(double lat, double lon, Double alt, Double accuracy, Double speed, Double bearing,
                       Long deviceTime, ObjectNode data) {

    /** The heartbeat for {@code POST /api/v1/producers/{id}/heartbeats}: location, data, device time and seq. */
    public ObjectNode heartbeat() {
        ObjectNode hb = JsonNodeFactory.instance.objectNode();
        ObjectNode location = hb.putObject("location");
        location.put("lat", lat);
        location.put("lon", lon);
        putIfPresent(location, "alt", alt);
        putIfPresent(location, "accuracy", accuracy);
        putIfPresent(location, "speed", speed);
        putIfPresent(location, "bearing", bearing);
        hb.set("data", data);
        if (deviceTime != null) {
            hb.put("device_time", deviceTime);
            hb.put("seq", deviceTime);
        }
        return hb;
    }

    private static void putIfPresent(ObjectNode node, String name, Double value) {
        if (value != null) {
            node.put(name, value);
        }
    }
}
