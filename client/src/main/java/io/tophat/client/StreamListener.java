package io.tophat.client;

import java.util.List;

/**
 * Receives what a {@link Watch} delivers. The methods are called from one thread at a time, in the order of the
 * stream; a method that throws ends the watch ({@link #failed} is told why, {@link Watch#token()} says where to
 * resume). Only {@link #heartbeat} must be implemented. After {@link #disconnected}, the watch resumes from its
 * token, so nothing is missed.
 */
public interface StreamListener extends WatchListener {
    /** The next stored heartbeat: each one once, each producer's in the order its stores committed them. */
    void heartbeat(StreamedHeartbeat event);

    /**
     * The stream cannot deliver what some stores hold: no live worker reads them (killed, cut off), or one is back
     * and replays them. {@code missing} names their workers ({@code host:port}, all the stores missing now, not only
     * the new one); {@code detail} says it in words. Heartbeats they stored that this watch has not had come once
     * they are back, maybe after later heartbeats of their producers that other workers stored. Called again when
     * the set changes, and after a reconnect while it lasts.
     */
    default void incomplete(List<String> missing, String detail) {
    }

    /**
     * After {@link #incomplete}: nothing is missing any more, every store has given what it held. Also called when a
     * reconnected stream starts without saying it is incomplete.
     */
    default void complete() {
    }
}
