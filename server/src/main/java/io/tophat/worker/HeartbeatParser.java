package io.tophat.worker;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.tophat.config.Durations;
import io.tophat.http.JsonLimits;
import io.tophat.http.WireText;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.Location;
import io.tophat.protocol.ProducerId;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a heartbeat body {@code {"id", "location", "data", "seq"?, "device_time"?}} with Jackson's streaming
 * parser (no object tree; {@code data} is kept as its JSON text) and stamps it with the source address and
 * server time. Only what can be kept exactly is accepted: well-formed UTF-8, no unpaired surrogate escape, no
 * duplicate member names, and values within the limits below. Refusals are {@link HeartbeatRejected}: malformed
 * when the body cannot be read, invalid when it can but is wrong.
 */
public final class HeartbeatParser {
    /** How deeply {@code data} may nest arrays and objects. */
    public static final int MAX_DATA_DEPTH = 64;
    /** The longest number accepted anywhere in a heartbeat, in characters. */
    public static final int MAX_NUMBER_LENGTH = JsonLimits.MAX_NUMBER_LENGTH;

    /** The most members of any one object in a heartbeat ({@code data} and its own objects included). */
    public static final int MAX_MEMBERS = JsonLimits.MAX_MEMBERS;

    // the heartbeat object itself is one level, data's own levels come inside it
    private static final JsonFactory INGEST = JsonLimits.strictFactory(MAX_DATA_DEPTH + 1);

    /** The same limits for a batch, whose items are one level deeper. */
    private static final JsonFactory BATCH = JsonLimits.strictFactory(MAX_DATA_DEPTH + 2);

    private final long maxClockSkewMillis;

    /** A parser with the default {@code --max-clock-skew}. */
    public HeartbeatParser() {
        this(Durations.parse(WorkerConfig.Ingest.DEFAULT_MAX_CLOCK_SKEW));
    }

    /** @param maxClockSkew how far ahead of {@code receivedAt} a {@code device_time} may be */
    public HeartbeatParser(Duration maxClockSkew) {
        this.maxClockSkewMillis = maxClockSkew.toMillis();
    }

    public Heartbeat parse(byte[] body, String ipAddress, long receivedAt) {
        checkText(body, "send a JSON object {\"id\", \"location\", \"data\"}");
        try (JsonParser p = JsonLimits.counting(INGEST.createParser(body), null)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("a heartbeat is a JSON object {\"id\", \"location\", \"data\"}");
            }
            Fields f = readFields(body, p);
            if (p.nextToken() != null) {
                throw HeartbeatRejected.malformed("malformed JSON", "unexpected content after the heartbeat object");
            }
            return checked(f.toHeartbeat(ipAddress, receivedAt), receivedAt, "");
        } catch (IOException | IllegalArgumentException e) {
            throw refusal(e);
        }
    }

    /**
     * Reads a batch {@code [{"location", "data", "seq"?, "device_time"?}, ...]} of 1 to {@code maxItems}
     * heartbeats of {@code producer} (an item may name it as {@code id}, no other). Any refused item refuses the
     * batch, and the detail names its index.
     */
    public List<Heartbeat> parseBatch(byte[] body, String producer, String ipAddress, long receivedAt, int maxItems) {
        checkText(body, "send a JSON array of heartbeats [{\"location\", \"data\"}, ...]");
        List<Heartbeat> batch = new ArrayList<>();
        try (JsonParser p = JsonLimits.counting(BATCH.createParser(body), null)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw invalid("a batch is a JSON array of heartbeats [{\"location\", \"data\"}, ...]");
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                int index = batch.size();
                if (index == maxItems) {
                    throw invalid("a batch holds at most " + maxItems + " heartbeats");
                }
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    throw invalid("item " + index + ": a heartbeat is a JSON object {\"location\", \"data\"}");
                }
                Fields f = readFields(body, p);
                if (f.id != null && !f.id.equals(producer)) {
                    throw invalid("item " + index + ": id " + WireText.echo(f.id) + " is not the producer of the path, "
                            + producer);
                }
                f.id = producer;
                try {
                    batch.add(checked(f.toHeartbeat(ipAddress, receivedAt), receivedAt, "item " + index + ": "));
                } catch (IllegalArgumentException e) {
                    throw invalid("item " + index + ": " + e.getMessage());
                }
            }
            if (p.nextToken() != null) {
                throw HeartbeatRejected.malformed("malformed JSON", "unexpected content after the batch");
            }
            if (batch.isEmpty()) {
                throw invalid("the batch is empty; send 1 to " + maxItems + " heartbeats");
            }
            return batch;
        } catch (IOException | IllegalArgumentException e) {
            throw refusal(e);
        }
    }

    private static void checkText(byte[] body, String what) {
        if (body.length == 0) {
            throw HeartbeatRejected.malformed("empty body", what);
        }
        String encoding = WireText.utf8Problem(body, 0, body.length);
        if (encoding != null) {
            throw HeartbeatRejected.malformed("invalid UTF-8", encoding + "; send the body as UTF-8");
        }
        String surrogate = WireText.loneSurrogateEscape(body, 0, body.length);
        if (surrogate != null) {
            throw invalid(surrogate + "; such a string cannot be stored as text");
        }
    }

    private Heartbeat checked(Heartbeat hb, long receivedAt, String where) {
        if (hb.deviceTime() != null && hb.deviceTime() - receivedAt > maxClockSkewMillis) {
            throw invalid(where + "device_time is " + (hb.deviceTime() - receivedAt) + " ms ahead of the worker's clock; "
                    + "at most " + maxClockSkewMillis + " ms ahead is accepted (--max-clock-skew): set the device's "
                    + "clock, or leave device_time out");
        }
        return hb;
    }

    /**
     * What the parser's own failures mean for the producer: malformed, or beyond a limit, or invalid; in words of
     * our own, never the parser's message.
     */
    private static HeartbeatRejected refusal(Exception failure) {
        if (failure instanceof StreamConstraintsException e) {
            String message = String.valueOf(e.getOriginalMessage());
            return invalid(message.contains("nesting") ? "data nests deeper than " + MAX_DATA_DEPTH + " levels of arrays and objects"
                    : message.contains("Number") ? "a number is longer than " + MAX_NUMBER_LENGTH + " characters"
                    : "a value is beyond TopHat's limits");
        }
        if (failure instanceof JsonLimits.TooManyMembers) {
            return invalid("an object has more than " + MAX_MEMBERS + " members");
        }
        if (failure instanceof IOException e) {
            return HeartbeatRejected.malformed("malformed JSON", JsonLimits.refusal(e).detail());
        }
        return invalid(failure.getMessage());
    }

    private static Fields readFields(byte[] body, JsonParser p) throws IOException {
        Fields f = new Fields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "id", "producer" -> f.id = readId(p, t);
                case "location" -> f.location = t == JsonToken.VALUE_NULL ? null : HeartbeatJson.readLocation(body, p);
                case "data" -> f.data = HeartbeatJson.rawValue(body, p);
                case "seq" -> f.seq = readLong(p, t, "seq");
                case "device_time" -> f.deviceTime = readLong(p, t, "device_time");
                default -> p.skipChildren();
            }
        }
        return f;
    }

    private static String readId(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) {
            return p.getText();
        }
        throw new IllegalArgumentException("id must be a string or a whole number");
    }

    private static Long readLong(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new IllegalArgumentException(field + " must be a whole number");
        }
        long v = p.getLongValue();
        if (v < 0) {
            throw new IllegalArgumentException(field + " must not be negative");
        }
        return v;
    }

    private static HeartbeatRejected invalid(String detail) {
        return HeartbeatRejected.invalid(detail);
    }

    /** The fields as read, before they are checked. */
    private static final class Fields {
        String id;
        Location location;
        String data;
        Long seq;
        Long deviceTime;

        Heartbeat toHeartbeat(String ipAddress, long receivedAt) {
            if (id == null) {
                throw new IllegalArgumentException("id is missing");
            }
            String idProblem = ProducerId.problem(id);
            if (idProblem != null) {
                throw new IllegalArgumentException(idProblem);
            }
            if (location == null) {
                throw new IllegalArgumentException("location is missing");
            }
            String locationProblem = location.problem();
            if (locationProblem != null) {
                throw new IllegalArgumentException(locationProblem);
            }
            if (data == null) {
                throw new IllegalArgumentException("data is missing (send any JSON value, null included)");
            }
            return new Heartbeat(id, location, data, ipAddress, receivedAt, deviceTime, seq);
        }
    }
}
