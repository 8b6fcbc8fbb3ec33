package io.tophat.store;

/** An unmerged inbox row: where it is, and what decides whether it is a producer's latest. */
record InboxRef(long id, long receivedAt, Long seq) {

    /** True when this row replaces {@code held} as the latest: not older, and not a retry of it. */
    boolean supersedes(InboxRef held) {
        boolean retry = seq != null && held.seq != null && seq <= held.seq;
        return receivedAt >= held.receivedAt && !retry;
    }
}
