package io.tophat.client;

/** Told about every heartbeat a worker acknowledged, on the sending thread, in the order of acknowledgement. */
@FunctionalInterface
public interface AckListener {
    AckListener NONE = (producer, seq) -> { };

    void acknowledged(String producer, long seq);
}
