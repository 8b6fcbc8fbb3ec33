package io.tophat.store;

/**
 * An unmerged inbox row: where it is, and what decides whether it is a producer's latest.
 *
 * @param time the heartbeat's time ({@link io.tophat.protocol.Heartbeat#time()})
 */
record InboxRef(long id, long time, Long seq) {

    /**
     * True when this row, which arrived after {@code held}, replaces it as the latest: its time is not earlier
     * (a tie goes to the later arrival), and it is not a retry of it (the same seq). A seq never ranks heartbeats.
     */
    boolean supersedes(InboxRef held) {
        boolean retry = seq != null && seq.equals(held.seq);
        return time >= held.time && !retry;
    }
}
