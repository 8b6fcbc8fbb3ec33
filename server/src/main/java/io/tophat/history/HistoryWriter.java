package io.tophat.history;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.Location;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a streamed history export a page at a time, so an export of any length takes constant memory (GeoJSON
 * keeps the track's coordinates, 16 bytes a point, for its closing LineString). Each call returns the bytes to
 * write next.
 */
public abstract class HistoryWriter {

    /** The writer for a streamed {@code format}. */
    public static HistoryWriter of(HistoryFormat format, String producer) {
        return switch (format) {
            case NDJSON -> new Ndjson();
            case CSV -> new Csv();
            case GEOJSON -> new GeoJson(producer);
            case JSON -> throw new IllegalArgumentException("JSON history is answered a page at a time");
        };
    }

    public abstract Buffer begin();

    public abstract Buffer rows(List<Heartbeat> heartbeats);

    public abstract Buffer end();

    /** One record per line, as {@code GET /api/v1/producers/{id}} answers it. */
    static final class Ndjson extends HistoryWriter {
        @Override
        public Buffer begin() {
            return Buffer.buffer();
        }

        @Override
        public Buffer rows(List<Heartbeat> heartbeats) {
            ByteArrayBuilder out = new ByteArrayBuilder(256 * heartbeats.size() + 16);
            for (Heartbeat hb : heartbeats) {
                out.write(HeartbeatJson.encode(hb));
                out.append('\n');
            }
            return Buffer.buffer(out.toByteArray());
        }

        @Override
        public Buffer end() {
            return Buffer.buffer();
        }
    }

    /**
     * RFC 4180 CSV with a header line. {@code location} and {@code data} are the JSON texts as stored (so nothing is
     * lost), {@code lat}, {@code lon} and {@code label} copied out for spreadsheets; empty fields are absent values.
     */
    static final class Csv extends HistoryWriter {
        static final String HEADER = "producer,time,received_at,device_time,seq,lat,lon,label,location,data,ip_address\r\n";

        @Override
        public Buffer begin() {
            return Buffer.buffer(HEADER);
        }

        @Override
        public Buffer rows(List<Heartbeat> heartbeats) {
            StringBuilder out = new StringBuilder(256 * heartbeats.size());
            for (Heartbeat hb : heartbeats) {
                Location loc = hb.location();
                field(out, hb.producer()).append(',').append(hb.time()).append(',').append(hb.receivedAt()).append(',');
                optional(out, hb.deviceTime()).append(',');
                optional(out, hb.seq()).append(',');
                optional(out, loc.label() == null ? loc.lat() : null).append(',');
                optional(out, loc.label() == null ? loc.lon() : null).append(',');
                field(out, loc.label()).append(',');
                field(out, HeartbeatJson.encodeLocation(loc)).append(',');
                field(out, hb.data()).append(',');
                field(out, hb.ipAddress()).append("\r\n");
            }
            return Buffer.buffer(out.toString());
        }

        @Override
        public Buffer end() {
            return Buffer.buffer();
        }

        private static StringBuilder optional(StringBuilder out, Object value) {
            return value == null ? out : out.append(value);
        }

        /** Quoted when it holds a comma, a quote or a line break (quotes doubled); empty for null. */
        private static StringBuilder field(StringBuilder out, String value) {
            if (value == null) {
                return out;
            }
            boolean quote = value.isEmpty();
            for (int i = 0; i < value.length() && !quote; i++) {
                char c = value.charAt(i);
                quote = c == ',' || c == '"' || c == '\r' || c == '\n';
            }
            if (!quote) {
                return out.append(value);
            }
            out.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                out.append(c);
                if (c == '"') {
                    out.append('"');
                }
            }
            return out.append('"');
        }
    }

    /**
     * A GeoJSON FeatureCollection (RFC 7946): one Point feature per heartbeat (a string location has no geometry),
     * the record's other fields as properties, then the track as one LineString feature in the answer's order.
     */
    static final class GeoJson extends HistoryWriter {
        private final String producer;
        private double[] track = new double[256];
        private int points;
        private boolean first = true;

        GeoJson(String producer) {
            this.producer = producer;
        }

        @Override
        public Buffer begin() {
            return Buffer.buffer("{\"type\":\"FeatureCollection\",\"features\":[");
        }

        @Override
        public Buffer rows(List<Heartbeat> heartbeats) {
            ByteArrayBuilder out = new ByteArrayBuilder(320 * heartbeats.size() + 16);
            try (JsonGenerator gen = HeartbeatJson.FACTORY.createGenerator(out)) {
                gen.setRootValueSeparator(null);
                for (Heartbeat hb : heartbeats) {
                    if (!first) {
                        gen.writeRaw(',');
                    }
                    first = false;
                    feature(gen, hb);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Buffer.buffer(out.toByteArray());
        }

        private void feature(JsonGenerator gen, Heartbeat hb) throws IOException {
            Location loc = hb.location();
            boolean positioned = loc.label() == null && loc.lat() != null && loc.lon() != null;
            gen.writeStartObject();
            gen.writeStringField("type", "Feature");
            gen.writeFieldName("geometry");
            if (positioned) {
                gen.writeStartObject();
                gen.writeStringField("type", "Point");
                gen.writeArrayFieldStart("coordinates");
                gen.writeNumber(loc.lon());
                gen.writeNumber(loc.lat());
                if (loc.alt() != null) {
                    gen.writeNumber(loc.alt());
                }
                gen.writeEndArray();
                gen.writeEndObject();
                remember(loc.lon(), loc.lat());
            } else {
                gen.writeNull();
            }
            gen.writeFieldName("properties");
            HeartbeatJson.write(gen, hb);
            gen.writeEndObject();
        }

        private void remember(double lon, double lat) {
            if (2 * points + 2 > track.length) {
                track = Arrays.copyOf(track, track.length * 2);
            }
            track[2 * points] = lon;
            track[2 * points + 1] = lat;
            points++;
        }

        @Override
        public Buffer end() {
            ByteArrayBuilder out = new ByteArrayBuilder(32 * points + 128);
            try (JsonGenerator gen = HeartbeatJson.FACTORY.createGenerator(out)) {
                if (points >= 2) {
                    if (!first) {
                        gen.writeRaw(',');
                    }
                    gen.writeStartObject();
                    gen.writeStringField("type", "Feature");
                    gen.writeObjectFieldStart("geometry");
                    gen.writeStringField("type", "LineString");
                    gen.writeArrayFieldStart("coordinates");
                    for (int i = 0; i < points; i++) {
                        gen.writeStartArray();
                        gen.writeNumber(track[2 * i]);
                        gen.writeNumber(track[2 * i + 1]);
                        gen.writeEndArray();
                    }
                    gen.writeEndArray();
                    gen.writeEndObject();
                    gen.writeObjectFieldStart("properties");
                    gen.writeStringField("producer", producer);
                    gen.writeStringField("kind", "track");
                    gen.writeNumberField("points", points);
                    gen.writeEndObject();
                    gen.writeEndObject();
                }
                gen.writeRaw("]}");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Buffer.buffer(out.toByteArray());
        }
    }
}
