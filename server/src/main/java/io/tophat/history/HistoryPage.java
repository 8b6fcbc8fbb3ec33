package io.tophat.history;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A JSON history page: {@code {"producer", "heartbeats": [...], "next": cursor | null, "complete", "missing"}}.
 * With {@code keys}, each record also carries its {@code key} (its position among heartbeats of the same time in
 * its store), which the balancer needs to merge several stores.
 */
public final class HistoryPage {
    private HistoryPage() {
    }

    public static Buffer json(String producer, List<Heartbeat> heartbeats, long[] keys, String next, boolean complete,
                              List<String> missing) {
        ByteArrayBuilder out = new ByteArrayBuilder(256 * (heartbeats.size() + 1));
        try (JsonGenerator gen = HeartbeatJson.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("producer", producer);
            gen.writeArrayFieldStart("heartbeats");
            for (int i = 0; i < heartbeats.size(); i++) {
                if (keys == null) {
                    HeartbeatJson.write(gen, heartbeats.get(i));
                } else {
                    HeartbeatJson.writeWith(gen, heartbeats.get(i), "key", keys[i]);
                }
            }
            gen.writeEndArray();
            gen.writeFieldName("next");
            if (next == null) {
                gen.writeNull();
            } else {
                gen.writeString(next);
            }
            gen.writeBooleanField("complete", complete);
            gen.writeArrayFieldStart("missing");
            for (String m : missing) {
                gen.writeString(m);
            }
            gen.writeEndArray();
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Buffer.buffer(out.toByteArray());
    }
}
