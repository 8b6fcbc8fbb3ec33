package io.tophat.client;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.Location;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One heartbeat on its way to a worker, as the producer made it.
 *
 * @param producer   the producer's id
 * @param seq        the producer's sequence number, so a retried heartbeat is stored once
 * @param deviceTime the producer's clock when it was made, in milliseconds since the epoch
 * @param location   where the producer was
 * @param data       the sensed data, as the text of one JSON value
 */
record OutgoingHeartbeat(String producer, long seq, long deviceTime, Location location, String data) {

    /** The body of {@code POST /heartbeat}: {@code {"id","location","data","seq","device_time"}}. */
    byte[] toJson() {
        ByteArrayBuilder out = new ByteArrayBuilder(128 + data.length());
        try (JsonGenerator gen = HeartbeatJson.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("id", producer);
            gen.writeFieldName("location");
            HeartbeatJson.writeLocation(gen, location);
            gen.writeFieldName("data");
            gen.writeRawValue(data);
            gen.writeNumberField("seq", seq);
            gen.writeNumberField("device_time", deviceTime);
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Throws {@link IllegalArgumentException} unless {@code json} is exactly one JSON value. */
    static void requireJsonValue(String json) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException("data must be a JSON value, such as {\"battery\": 87}, not empty");
        }
        try (JsonParser p = HeartbeatJson.FACTORY.createParser(json)) {
            p.nextToken();
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("data must be one JSON value, found more after it");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("data is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
