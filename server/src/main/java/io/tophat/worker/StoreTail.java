package io.tophat.worker;

import io.tophat.store.HeartbeatStore;
import io.tophat.store.StoreException;
import io.tophat.store.StoredHeartbeat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The live side of the streams of a store other workers share: their commits are in the database, not in this
 * worker's writer, so a thread of its own reads what was committed after the last key it published, in commit
 * order (a full page at once again, else after {@link #IDLE_MS}), and hands it to the {@link StreamHub}. The
 * store gives keys in commit order, so reading after the last key never skips a commit.
 */
final class StoreTail implements Runnable {
    static final long IDLE_MS = 50;
    private static final int PAGE = 1000;
    private static final long FAILING_MS = 500;
    private static final Logger log = LoggerFactory.getLogger(StoreTail.class);

    private final HeartbeatStore store;
    private final StreamHub hub;
    private final Thread thread;
    private volatile boolean stopped;

    StoreTail(HeartbeatStore store, StreamHub hub) {
        this.store = store;
        this.hub = hub;
        this.thread = new Thread(this, "tophat-store-tail");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopped = true;
        thread.interrupt();
    }

    @Override
    public void run() {
        long last = -1;
        boolean failing = false;
        while (!stopped) {
            try {
                if (last < 0) {
                    last = store.lastKey();
                }
                List<StoredHeartbeat> page = store.committedAfter(last, null, PAGE);
                if (!page.isEmpty()) {
                    hub.publishStored(page);
                    last = page.get(page.size() - 1).position().key();
                }
                if (failing) {
                    log.info("following the shared store's commits again");
                    failing = false;
                }
                if (page.size() < PAGE) {
                    Thread.sleep(IDLE_MS);
                }
            } catch (StoreException e) {
                if (!failing) {
                    log.warn("cannot follow the shared store's commits ({}); streams wait, and resume from it", e.getMessage());
                    failing = true;
                }
                sleep(FAILING_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
