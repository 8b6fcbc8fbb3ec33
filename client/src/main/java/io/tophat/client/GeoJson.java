package io.tophat.client;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.Location;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes the JSON of the near and area answers. */
final class GeoJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private GeoJson() {
    }

    static byte[] write(Area area) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = HeartbeatJson.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("name", area.name());
            if (area.isCircle()) {
                gen.writeNumberField("lat", area.lat());
                gen.writeNumberField("lon", area.lon());
                gen.writeNumberField("radius_m", area.radiusM());
            } else {
                gen.writeFieldName("polygon");
                gen.writeRawValue(area.polygon());
            }
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static NearAnswer near(Reply reply) {
        JsonNode body = tree(reply);
        List<NearbyProducer> items = new ArrayList<>();
        for (JsonNode item : body.path("items")) {
            items.add(new NearbyProducer(item.path("producer").asText(), item.path("distance_m").asDouble(),
                    location(item), Instant.ofEpochMilli(item.path("time").asLong()), worker(item)));
        }
        return new NearAnswer(items, body.path("complete").asBoolean(), strings(body.path("missing")));
    }

    static List<Area> areas(Reply reply) {
        List<Area> areas = new ArrayList<>();
        for (JsonNode area : tree(reply).path("items")) {
            areas.add(area(area));
        }
        return areas;
    }

    static Area area(Reply reply) {
        return area(tree(reply));
    }

    static AreaOccupancy occupancy(Reply reply) {
        JsonNode body = tree(reply);
        List<AreaOccupancy.Occupant> inside = new ArrayList<>();
        for (JsonNode item : body.path("inside")) {
            inside.add(new AreaOccupancy.Occupant(item.path("producer").asText(), location(item),
                    Instant.ofEpochMilli(item.path("time").asLong()), worker(item)));
        }
        return new AreaOccupancy(area(body.path("area")), inside, body.path("complete").asBoolean(),
                strings(body.path("missing")));
    }

    private static Area area(JsonNode area) {
        JsonNode polygon = area.get("polygon");
        if (polygon != null && polygon.isObject()) {
            return Area.polygon(area.path("name").asText(), polygon.toString());
        }
        return Area.circle(area.path("name").asText(), area.path("lat").asDouble(), area.path("lon").asDouble(),
                area.path("radius_m").asDouble());
    }

    private static Location location(JsonNode item) {
        JsonNode loc = item.path("location");
        return Location.of(loc.path("lat").asDouble(), loc.path("lon").asDouble());
    }

    private static URI worker(JsonNode item) {
        return item.path("worker").isTextual() ? URI.create(item.path("worker").asText()) : null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode tree(Reply reply) {
        try {
            return MAPPER.readTree(reply.body());
        } catch (IOException e) {
            throw new TopHatException(reply.uri() + " answered JSON that cannot be read: " + e.getMessage(), e);
        }
    }
}
