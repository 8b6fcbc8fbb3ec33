package io.tophat.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that moves the inbox into the history: as soon as {@value #EAGER_ROWS} rows wait, or every
 * {@value #IDLE_MILLIS} ms when fewer do, in transactions of at most {@value #MAX_ROWS} rows. Larger batches
 * are cheaper per row (each index page is written once per batch), so under heavy load it merges in big
 * steps and the inbox stays a few seconds long. At close it merges everything left.
 */
final class SqliteMerger {
    static final int EAGER_ROWS = 100_000;
    static final int MAX_ROWS = 400_000;
    static final long IDLE_MILLIS = 1000;

    private static final Logger log = LoggerFactory.getLogger(SqliteMerger.class);

    private final SqliteHeartbeatStore store;
    private final Thread thread;
    private volatile boolean closing;
    private boolean failing;

    SqliteMerger(SqliteHeartbeatStore store) {
        this.store = store;
        this.thread = new Thread(this::run, "tophat-merger");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long lastMerge = System.nanoTime();
        while (!closing) {
            long backlog = store.backlog();
            long idle = (System.nanoTime() - lastMerge) / 1_000_000;
            if (backlog >= EAGER_ROWS || (backlog > 0 && idle >= IDLE_MILLIS)) {
                mergeOnce();
                lastMerge = System.nanoTime();
            } else {
                pause(20);
            }
        }
        while (store.backlog() > 0 && mergeOnce()) {
            // merge what is left before the store closes
        }
    }

    private boolean mergeOnce() {
        try {
            store.mergeNext(MAX_ROWS);
            if (failing) {
                failing = false;
                log.info("merging the inbox into the history works again");
            }
            return true;
        } catch (StoreException e) {
            if (!failing) {
                failing = true;
                log.error("cannot merge the inbox into the history (heartbeats stay safe in the inbox; retrying): {}",
                        e.getMessage());
            }
            pause(1000);
            return !closing;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Merges what is left and stops. */
    void close() {
        closing = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
