package io.tophat.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSON history page, {@code {"producer", "heartbeats": [...], "next", "complete", "missing"}}, as both
 * servers answer it; a record's {@code key} (asked for by the balancer) is kept beside it.
 */
public final class HistoryPageJson {

    /** A page as read: the records (with their keys, 0 when absent), the cursor to the next page, completeness. */
    public record Page(String producer, List<Heartbeat> heartbeats, long[] keys, String next, boolean complete,
                       List<String> missing) {
    }

    private HistoryPageJson() {
    }

    /** @throws IllegalArgumentException when {@code json} is not a history page */
    public static Page read(byte[] json) {
        String producer = null;
        List<Heartbeat> heartbeats = new ArrayList<>();
        List<Long> keys = new ArrayList<>();
        String next = null;
        boolean complete = true;
        List<String> missing = new ArrayList<>();
        try (JsonParser p = HeartbeatJson.FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a history page is a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "producer" -> producer = p.getValueAsString();
                    case "heartbeats" -> {
                        long[] key = new long[1];
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            key[0] = 0;
                            heartbeats.add(HeartbeatJson.readRecord(json, p, key));
                            keys.add(key[0]);
                        }
                    }
                    case "next" -> next = t == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "complete" -> complete = t == JsonToken.VALUE_TRUE;
                    case "missing" -> {
                        while (p.nextToken() == JsonToken.VALUE_STRING) {
                            missing.add(p.getText());
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a history page: " + e.getMessage(), e);
        }
        long[] keyArray = keys.stream().mapToLong(Long::longValue).toArray();
        return new Page(producer, heartbeats, keyArray, next, complete, List.copyOf(missing));
    }
}
