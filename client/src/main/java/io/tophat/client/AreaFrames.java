package io.tophat.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** What an area stream's frames mean to an {@link AreaListener}. */
final class AreaFrames implements Watch.Frames {
    private final AreaListener listener;

    AreaFrames(AreaListener listener) {
        this.listener = listener;
    }

    @Override
    public Watch.Next frame(String event, String id, String data) {
        if ("enter".equals(event) || "leave".equals(event)) {
            listener.event(read("enter".equals(event) ? AreaEvent.Kind.ENTER : AreaEvent.Kind.LEAVE, data));
        }
        return "error".equals(event) ? Watch.Next.RESUME_LATER : Watch.Next.CONTINUE;
    }

    static AreaEvent read(AreaEvent.Kind kind, String data) {
        if (data == null) {
            throw new TopHatException("an area event came without data");
        }
        byte[] json = data.getBytes(StandardCharsets.UTF_8);
        String area = null;
        String producer = null;
        Heartbeat heartbeat = null;
        try (JsonParser p = HeartbeatJson.FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new TopHatException("an area event is not a JSON object: " + data);
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "area" -> area = p.getValueAsString();
                    case "producer" -> producer = p.getValueAsString();
                    case "heartbeat" -> heartbeat = HeartbeatJson.readRecord(json, p, null);
                    default -> p.skipChildren();
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new TopHatException("an area event cannot be read: " + e.getMessage(), e);
        }
        if (area == null || producer == null || heartbeat == null) {
            throw new TopHatException("an area event lacks its area, producer or heartbeat: " + data);
        }
        return new AreaEvent(area, kind, producer, heartbeat);
    }

    @Override
    public WatchListener listener() {
        return listener;
    }
}
