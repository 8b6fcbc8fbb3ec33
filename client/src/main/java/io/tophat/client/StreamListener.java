package io.tophat.client;

/**
 * Receives what a {@link Watch} delivers. The methods are called from one thread at a time, in the order of the
 * stream; a method that throws ends the watch ({@link #failed} is told why, {@link Watch#token()} says where to
 * resume). Only {@link #heartbeat} must be implemented. After {@link #disconnected}, the watch resumes from its
 * token, so nothing is missed.
 */
public interface StreamListener extends WatchListener {
    /** The next stored heartbeat: each one once, each producer's in the order its stores committed them. */
    void heartbeat(StreamedHeartbeat event);
}
