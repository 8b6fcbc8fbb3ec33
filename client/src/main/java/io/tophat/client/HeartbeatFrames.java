package io.tophat.client;

import io.tophat.protocol.HeartbeatJson;

import java.nio.charset.StandardCharsets;

/** What a heartbeat stream's frames mean to a {@link StreamListener}. */
final class HeartbeatFrames implements Watch.Frames {
    private final StreamListener listener;

    HeartbeatFrames(StreamListener listener) {
        this.listener = listener;
    }

    @Override
    public Watch.Next frame(String event, String id, String data) {
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
            case "lagged" -> Watch.Next.RESUME_NOW;
            case "error" -> Watch.Next.RESUME_LATER;
            default -> Watch.Next.CONTINUE; // events this version does not know are skipped
        };
    }

    @Override
    public WatchListener listener() {
        return listener;
    }
}
