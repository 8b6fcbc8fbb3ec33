package io.tophat.worker;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.tophat.http.ApiException;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.Location;
import io.tophat.protocol.ProducerId;

import java.io.IOException;

/**
 * Reads a heartbeat body {@code {"id", "location", "data", "seq"?, "device_time"?}} with Jackson's streaming
 * parser (no object tree; {@code data} is kept as its JSON text) and stamps it with the source address and
 * server time. Syntax errors are 400, well-formed bodies with wrong content are 422.
 */
public final class HeartbeatParser {

    public Heartbeat parse(byte[] body, String ipAddress, long receivedAt) {
        if (body.length == 0) {
            throw ApiException.badRequest("empty body", "send a JSON object {\"id\", \"location\", \"data\"}");
        }
        try (JsonParser p = HeartbeatJson.FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("a heartbeat is a JSON object {\"id\", \"location\", \"data\"}");
            }
            Fields f = readFields(body, p);
            if (p.nextToken() != null) {
                throw ApiException.badRequest("malformed JSON", "unexpected content after the heartbeat object");
            }
            return f.toHeartbeat(ipAddress, receivedAt);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON", e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("unreadable body", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    private static Fields readFields(byte[] body, JsonParser p) throws IOException {
        Fields f = new Fields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "id", "producer" -> f.id = readId(p, t);
                case "location" -> f.location = t == JsonToken.VALUE_NULL ? null : HeartbeatJson.readLocation(p);
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

    private static ApiException invalid(String detail) {
        return ApiException.unprocessable("invalid heartbeat", detail);
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
