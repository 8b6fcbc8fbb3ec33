package io.tophat.phones;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * OwnTracks' JSON messages, over HTTP or MQTT. A {@code _type: location} message is a position; every other type
 * (transition, waypoint, lwt, status, card, ...) is accepted and carries none: a waypoint's or a transition's
 * coordinates are a region's, not where the phone is.
 */
public final class OwnTracks {
    /** Members read into the location; the others go to {@code data} as sent. */
    private static final Set<String> READ = Set.of("_type", "lat", "lon", "tst", "acc", "alt", "vel", "cog");

    private OwnTracks() {
    }

    /**
     * The producer id OwnTracks' user and device make: {@code user:device} in lower case (ids allow no slash), or
     * the user alone when there is no device.
     */
    public static String producer(String user, String device) {
        if (user == null || user.isEmpty()) {
            throw new PhoneMessageException("invalid producer id", "name the user and device: X-Limit-U and "
                    + "X-Limit-D headers, u and d parameters, or the Basic user");
        }
        String id = device == null || device.isEmpty() ? user : user + ":" + device;
        return AppValues.producer(id.toLowerCase(Locale.ROOT), "user and device");
    }

    /**
     * The positions in one message of {@code producer}: none for another {@code _type} or an empty body.
     *
     * @param body  the message, null for a zero-length one
     * @param token the producer token the app presented (the Basic password), or null
     */
    public static PhoneReport read(String producer, JsonNode body, String token) {
        if (body == null || !"location".equals(body.path("_type").asText(null))) {
            if (body != null && !body.isObject()) {
                throw new PhoneMessageException("invalid message", "an OwnTracks message is a JSON object");
            }
            return new PhoneReport(producer, token, List.of());
        }
        JsonNode tst = body.get("tst");
        Long deviceTime = null;
        if (tst != null && !tst.isNull()) {
            if (!tst.canConvertToLong() || !tst.isIntegralNumber()) {
                throw new PhoneMessageException("invalid tst", "tst is whole seconds since 1970");
            }
            deviceTime = AppTimes.ownTracks(tst.asLong());
        }
        Double kmh = AppValues.number(body.get("vel"), "vel");
        ObjectNode data = AppValues.object();
        body.fields().forEachRemaining(member -> {
            if (!READ.contains(member.getKey())) {
                data.set(member.getKey(), member.getValue());
            }
        });
        PhoneFix fix = new PhoneFix(AppValues.latitude(AppValues.number(body.get("lat"), "lat")),
                AppValues.longitude(AppValues.number(body.get("lon"), "lon")),
                AppValues.number(body.get("alt"), "alt"), AppValues.number(body.get("acc"), "acc"),
                kmh == null ? null : kmh * AppValues.METRES_PER_SECOND_PER_KMH,
                AppValues.number(body.get("cog"), "cog"), deviceTime, data);
        return new PhoneReport(producer, token, List.of(fix));
    }
}
