package io.tophat.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.protocol.HeartbeatJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a heartbeat stream's frames mean to a {@link StreamListener}. A balancer's stream that starts incomplete
 * says so in its first frame, so a reconnected stream whose first frame is anything else is complete.
 */
final class HeartbeatFrames implements Watch.Frames {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final StreamListener listener;
    /** The listener was told the stream is incomplete, and not yet that it is complete again. */
    private boolean incomplete;
    /** No frame has come on this connection yet. */
    private boolean first;

    HeartbeatFrames(StreamListener listener) {
        this.listener = listener;
    }

    @Override
    public void opened() {
        first = true;
    }

    @Override
    public Watch.Next frame(String event, String id, String data) {
        if (first) {
            first = false;
            if (incomplete && !"incomplete".equals(event)) {
                complete();
            }
        }
        if (event == null) {
            return Watch.Next.CONTINUE; // an id alone: the token moved
        }
        return switch (event) {
            case "heartbeat" -> {
                if (data == null || id == null) {
                    throw new TopHatException("a heartbeat event came without its record or its token");
                }
                try {
                    listener.heartbeat(new StreamedHeartbeat(HeartbeatJson.decode(data.getBytes(StandardCharsets.UTF_8)), id));
                } catch (IllegalArgumentException e) {
                    throw new TopHatException("a streamed record cannot be read: " + e.getMessage(), e);
                }
                yield Watch.Next.CONTINUE;
            }
            case "incomplete" -> {
                incomplete = true;
                Completeness c = Completeness.read(data);
                listener.incomplete(c.missing(), c.detail());
                yield Watch.Next.CONTINUE;
            }
            case "complete" -> {
                if (incomplete) {
                    complete();
                }
                yield Watch.Next.CONTINUE;
            }
            case "lagged" -> Watch.Next.RESUME_NOW;
            case "error" -> Watch.Next.RESUME_LATER;
            default -> Watch.Next.CONTINUE; // events this version does not know are skipped
        };
    }

    private void complete() {
        incomplete = false;
        listener.complete();
    }

    /** The data of {@code incomplete}: {@code {"missing": [host:port, ...], "detail"}}. */
    private record Completeness(List<String> missing, String detail) {
        static Completeness read(String data) {
            try {
                JsonNode json = MAPPER.readTree(data == null ? "" : data);
                List<String> missing = new ArrayList<>();
                json.path("missing").forEach(m -> missing.add(m.asText()));
                return new Completeness(List.copyOf(missing), json.path("detail").asText(""));
            } catch (IOException e) {
                throw new TopHatException("an incomplete event cannot be read: " + data, e);
            }
        }
    }

    @Override
    public WatchListener listener() {
        return listener;
    }
}
