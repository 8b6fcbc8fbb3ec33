package io.tophat.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON form of a stored {@link Heartbeat} and of a {@link Location}, written and read with Jackson's
 * streaming API (no object tree). Field names: {@code producer, location, data, ip_address, received_at,
 * device_time, seq}; a location is {@code {"lat","lon","alt","accuracy","speed","bearing", ...extras}} or a string.
 */
public final class HeartbeatJson {
    public static final JsonFactory FACTORY = JsonFactory.builder().build();

    private static final SerializedString PRODUCER = new SerializedString("producer");
    private static final SerializedString LOCATION = new SerializedString("location");
    private static final SerializedString DATA = new SerializedString("data");
    private static final SerializedString IP_ADDRESS = new SerializedString("ip_address");
    private static final SerializedString TIME = new SerializedString("time");
    private static final SerializedString RECEIVED_AT = new SerializedString("received_at");
    private static final SerializedString DEVICE_TIME = new SerializedString("device_time");
    private static final SerializedString SEQ = new SerializedString("seq");

    private HeartbeatJson() {
    }

    public static byte[] encode(Heartbeat heartbeat) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            write(gen, heartbeat);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The stored record as the servers answer it, with {@code time} (device time, else receipt). */
    public static void write(JsonGenerator gen, Heartbeat hb) throws IOException {
        writeWith(gen, hb, null, 0);
    }

    /** The record with one more number member at its end ({@code extraName} null: none). */
    public static void writeWith(JsonGenerator gen, Heartbeat hb, String extraName, long extraValue) throws IOException {
        gen.writeStartObject();
        gen.writeFieldName(PRODUCER);
        gen.writeString(hb.producer());
        gen.writeFieldName(LOCATION);
        writeLocation(gen, hb.location());
        gen.writeFieldName(DATA);
        gen.writeRawValue(hb.data());
        gen.writeFieldName(IP_ADDRESS);
        gen.writeString(hb.ipAddress());
        gen.writeFieldName(TIME);
        gen.writeNumber(hb.time());
        gen.writeFieldName(RECEIVED_AT);
        gen.writeNumber(hb.receivedAt());
        if (hb.deviceTime() != null) {
            gen.writeFieldName(DEVICE_TIME);
            gen.writeNumber(hb.deviceTime());
        }
        if (hb.seq() != null) {
            gen.writeFieldName(SEQ);
            gen.writeNumber(hb.seq());
        }
        if (extraName != null) {
            gen.writeNumberField(extraName, extraValue);
        }
        gen.writeEndObject();
    }

    public static void writeLocation(JsonGenerator gen, Location loc) throws IOException {
        if (loc.label() != null) {
            gen.writeString(loc.label());
            return;
        }
        gen.writeStartObject();
        gen.writeNumberField("lat", loc.lat());
        gen.writeNumberField("lon", loc.lon());
        writeOptional(gen, "alt", loc.alt());
        writeOptional(gen, "accuracy", loc.accuracy());
        writeOptional(gen, "speed", loc.speed());
        writeOptional(gen, "bearing", loc.bearing());
        if (loc.extras() != null) {
            // members of the object being written: lat and lon came before, so a comma leads them
            gen.writeRaw(',');
            gen.writeRaw(loc.extras());
        }
        gen.writeEndObject();
    }

    private static void writeOptional(JsonGenerator gen, String name, Double value) throws IOException {
        if (value != null) {
            gen.writeNumberField(name, value);
        }
    }

    /**
     * Encodes a location alone, as stored in a database column: the same text as {@link #writeLocation}, a
     * position built directly (it is on the ingest path) and a label through Jackson, which escapes it.
     */
    public static String encodeLocation(Location loc) {
        if (loc.label() == null) {
            StringBuilder out = new StringBuilder(96).append("{\"lat\":").append((double) loc.lat())
                    .append(",\"lon\":").append((double) loc.lon());
            appendOptional(out, ",\"alt\":", loc.alt());
            appendOptional(out, ",\"accuracy\":", loc.accuracy());
            appendOptional(out, ",\"speed\":", loc.speed());
            appendOptional(out, ",\"bearing\":", loc.bearing());
            if (loc.extras() != null) {
                out.append(',').append(loc.extras());
            }
            return out.append('}').toString();
        }
        ByteArrayBuilder out = new ByteArrayBuilder(96);
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            writeLocation(gen, loc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    private static void appendOptional(StringBuilder out, String field, Double value) {
        if (value != null) {
            out.append(field).append((double) value);
        }
    }

    /** Reads a location from its JSON text (an object or a string). */
    public static Location decodeLocation(String json) {
        byte[] source = json.getBytes(StandardCharsets.UTF_8);
        try (JsonParser p = FACTORY.createParser(source)) {
            p.nextToken();
            return readLocation(source, p);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a location: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a location at the parser's current token (a string or the start of an object) from a parser created
     * on {@code source}. The known fields are read as numbers; every other member, and a known one sent as
     * {@code null}, is kept in {@link Location#extras()} as its JSON text.
     */
    public static Location readLocation(byte[] source, JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return Location.label(p.getText());
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("location must be an object {lat, lon} or a string");
        }
        Double lat = null, lon = null, alt = null, accuracy = null, speed = null, bearing = null;
        StringBuilder extras = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (!isKnownLocationField(name) || t == JsonToken.VALUE_NULL) {
                extras = extras == null ? new StringBuilder() : extras.append(',');
                extras.append('"').append(JsonStringEncoder.getInstance().quoteAsString(name)).append("\":")
                        .append(rawValue(source, p));
                continue;
            }
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                throw new IllegalArgumentException("location." + name + " must be a number");
            }
            double value = p.getDoubleValue();
            switch (name) {
                case "lat" -> lat = value;
                case "lon" -> lon = value;
                case "alt" -> alt = value;
                case "accuracy" -> accuracy = value;
                case "speed" -> speed = value;
                default -> bearing = value;
            }
        }
        return new Location(lat, lon, alt, accuracy, speed, bearing, null, extras == null ? null : extras.toString());
    }

    private static boolean isKnownLocationField(String name) {
        return switch (name) {
            case "lat", "lon", "alt", "accuracy", "speed", "bearing" -> true;
            default -> false;
        };
    }

    /** Reads a full stored record, as served by {@code GET /api/v1/producers/{id}}. */
    public static Heartbeat decode(byte[] json) {
        try (JsonParser p = FACTORY.createParser(json)) {
            p.nextToken();
            return readRecord(json, p, null);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a heartbeat record: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the stored record whose START_OBJECT is the parser's current token, from the bytes the parser was
     * created on; leaves the parser at its END_OBJECT. A numeric {@code key} member, when {@code key} is given, is
     * put in {@code key[0]}; {@code time} is not read (it follows from the other fields).
     */
    public static Heartbeat readRecord(byte[] source, JsonParser p, long[] key) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("a heartbeat record is a JSON object");
        }
        String producer = null, data = null, ip = null;
        Location location = null;
        long receivedAt = 0;
        Long deviceTime = null, seq = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "producer" -> producer = p.getValueAsString();
                case "location" -> location = readLocation(source, p);
                case "data" -> data = rawValue(source, p);
                case "ip_address" -> ip = p.getValueAsString();
                case "received_at" -> receivedAt = p.getLongValue();
                case "device_time" -> deviceTime = p.currentToken() == JsonToken.VALUE_NULL ? null : p.getLongValue();
                case "seq" -> seq = p.currentToken() == JsonToken.VALUE_NULL ? null : p.getLongValue();
                case "key" -> {
                    if (key != null) {
                        key[0] = p.getLongValue();
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new Heartbeat(producer, location, data, ip, receivedAt, deviceTime, seq);
    }

    /**
     * Returns the JSON text of the value at the parser's current token, read from the source bytes the parser
     * was created on, and leaves the parser at the value's last token. Validates the value as it skips it.
     */
    public static String rawValue(byte[] source, JsonParser p) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            // a string is read lazily: until it is finished, the parser stands just after its opening quote
            p.finishToken();
        }
        p.skipChildren();
        int end = (int) p.currentLocation().getByteOffset();
        return new String(source, start, end - start, StandardCharsets.UTF_8);
    }
}
