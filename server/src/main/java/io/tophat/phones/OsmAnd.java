package io.tophat.phones;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The OsmAnd protocol as Traccar's server accepts it and Traccar Client sends it: parameters (query or
 * urlencoded form), the JSON form of Traccar Client 9, or a JSON array of flat parameter objects.
 */
public final class OsmAnd {
    /** Parameters read into the location, the id or the credential; every other one goes to {@code data}. */
    private static final Set<String> READ = Set.of("id", "deviceid", "lat", "lon", "location", "timestamp", "speed",
            "bearing", "heading", "altitude", "accuracy", "token");

    /** Members of Traccar Client 9's {@code location} read into the heartbeat; the others go to {@code data}. */
    private static final Set<String> CLIENT_NINE_READ = Set.of("timestamp", "coords", "battery", "activity", "extras");

    private OsmAnd() {
    }

    /** Thrown when the message names no device: Traccar answers that 400 with an empty body. */
    public static final class MissingId extends RuntimeException {
        MissingId() {
            super("no id or deviceid", null, false, false);
        }
    }

    /**
     * One position from its parameters, in the order sent (the first value of each name).
     *
     * @param token the credential when it came another way (a Bearer header), else null
     */
    public static PhoneReport fromParameters(Map<String, String> params, String token) {
        String id = params.containsKey("id") ? params.get("id") : params.get("deviceid");
        if (id == null || id.isEmpty()) {
            throw new MissingId();
        }
        String producer = AppValues.producer(id, "id");
        Double lat;
        Double lon;
        String location = params.get("location");
        if (params.get("lat") == null && location != null) {
            int comma = location.indexOf(',');
            if (comma < 0) {
                throw new PhoneMessageException("invalid location", "location is written lat,lon");
            }
            lat = AppValues.number(location.substring(0, comma).strip(), "location");
            lon = AppValues.number(location.substring(comma + 1).strip(), "location");
        } else {
            lat = AppValues.number(params.get("lat"), "lat");
            lon = AppValues.number(params.get("lon"), "lon");
        }
        Double knots = AppValues.number(params.get("speed"), "speed");
        String bearing = params.get("bearing") != null ? params.get("bearing") : params.get("heading");
        String time = params.get("timestamp");
        ObjectNode data = AppValues.object();
        params.forEach((name, value) -> {
            if (!READ.contains(name)) {
                AppValues.putTyped(data, name, value);
            }
        });
        PhoneFix fix = new PhoneFix(AppValues.latitude(lat), AppValues.longitude(lon),
                AppValues.number(params.get("altitude"), "altitude"), AppValues.number(params.get("accuracy"), "accuracy"),
                knots == null ? null : knots * AppValues.METRES_PER_SECOND_PER_KNOT,
                AppValues.number(bearing, "bearing"), time == null || time.isEmpty() ? null : AppTimes.osmand(time), data);
        String presented = params.get("token") != null ? params.get("token") : token;
        return new PhoneReport(producer, presented, List.of(fix));
    }

    /**
     * The JSON forms: an object with {@code location} (Traccar Client 9) or flat parameters, or an array of flat
     * parameter objects, one position each. Reports come one per producer, in the order first seen.
     *
     * @param query the query's parameters, which may carry the id's {@code token}
     */
    public static List<PhoneReport> fromJson(JsonNode body, Map<String, String> query, String token) {
        String presented = query.get("token") != null ? query.get("token") : token;
        List<PhoneReport> single = new ArrayList<>();
        if (body.isObject() && body.has("location") && body.get("location").isObject()) {
            single.add(clientNine(body, presented));
            return single;
        }
        if (body.isObject()) {
            single.add(fromParameters(flat(body, query), presented));
            return single;
        }
        if (!body.isArray() || body.isEmpty()) {
            throw new PhoneMessageException("invalid message", "send an object, or an array of position objects");
        }
        Map<String, List<PhoneFix>> byProducer = new LinkedHashMap<>();
        Map<String, String> tokens = new LinkedHashMap<>();
        for (JsonNode item : body) {
            if (!item.isObject()) {
                throw new PhoneMessageException("invalid message", "every item of the array is a position object");
            }
            PhoneReport one = fromParameters(flat(item, query), presented);
            byProducer.computeIfAbsent(one.producer(), p -> new ArrayList<>()).addAll(one.fixes());
            tokens.putIfAbsent(one.producer(), one.token());
        }
        List<PhoneReport> reports = new ArrayList<>();
        byProducer.forEach((producer, fixes) -> reports.add(new PhoneReport(producer, tokens.get(producer), fixes)));
        return reports;
    }

    /** A flat JSON object's members as parameter text, after the query's (the body's win on the same name). */
    private static Map<String, String> flat(JsonNode object, Map<String, String> query) {
        Map<String, String> params = new LinkedHashMap<>(query);
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> member = it.next();
            JsonNode v = member.getValue();
            if (v.isNull()) {
                continue;
            }
            if (v.isContainerNode()) {
                throw new PhoneMessageException("invalid message", member.getKey() + " must be a number, a "
                        + "boolean or a string");
            }
            params.put(member.getKey(), v.asText());
        }
        return params;
    }

    /** Traccar Client 9's JSON: {@code device_id} and a {@code location} of the background-geolocation plugin. */
    private static PhoneReport clientNine(JsonNode body, String token) {
        JsonNode idNode = body.get("device_id");
        if (idNode == null || !idNode.isValueNode() || idNode.asText().isEmpty()) {
            throw new MissingId();
        }
        String producer = AppValues.producer(idNode.asText(), "device_id");
        JsonNode location = body.get("location");
        JsonNode coords = location.path("coords");
        Double speed = AppValues.number(coords.get("speed"), "coords.speed");
        Double heading = AppValues.number(coords.get("heading"), "coords.heading");
        JsonNode time = location.get("timestamp");
        Long deviceTime = null;
        if (time != null && !time.isNull()) {
            if (!time.isTextual()) {
                throw new PhoneMessageException("invalid timestamp", "location.timestamp is ISO-8601 text");
            }
            try {
                deviceTime = AppTimes.iso(time.asText());
            } catch (java.time.format.DateTimeParseException e) {
                throw new PhoneMessageException("invalid timestamp", "location.timestamp is ISO-8601 text");
            }
        }
        ObjectNode data = AppValues.object();
        JsonNode battery = location.path("battery");
        Double level = AppValues.number(battery.get("level"), "battery.level");
        if (level != null) {
            data.put("batt", level * 100);
        }
        if (battery.has("is_charging")) {
            data.set("charge", battery.get("is_charging"));
        }
        if (location.path("activity").has("type")) {
            data.set("activity", location.path("activity").get("type"));
        }
        location.fields().forEachRemaining(member -> {
            if (!CLIENT_NINE_READ.contains(member.getKey())) {
                data.set(member.getKey(), member.getValue());
            }
        });
        JsonNode extras = location.path("extras");
        if (extras.isObject()) {
            extras.fields().forEachRemaining(e -> data.set(e.getKey(), e.getValue()));
        }
        PhoneFix fix = new PhoneFix(AppValues.latitude(AppValues.number(coords.get("latitude"), "coords.latitude")),
                AppValues.longitude(AppValues.number(coords.get("longitude"), "coords.longitude")),
                AppValues.number(coords.get("altitude"), "coords.altitude"),
                AppValues.number(coords.get("accuracy"), "coords.accuracy"),
                speed == null || speed < 0 ? null : speed, heading == null || heading < 0 ? null : heading,
                deviceTime, data);
        return new PhoneReport(producer, token, List.of(fix));
    }
}
