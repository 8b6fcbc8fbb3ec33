package io.tophat.store;

import io.tophat.protocol.Heartbeat;

/** A heartbeat as its store holds it, with its position in the producer's history. */
public record StoredHeartbeat(Heartbeat heartbeat, HistoryQuery.Position position) {
}
