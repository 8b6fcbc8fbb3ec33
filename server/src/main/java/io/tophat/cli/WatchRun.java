package io.tophat.cli;

import io.tophat.client.TopHatException;
import io.tophat.client.Watch;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * How a watching command runs: it prints a line per event until {@code --count} lines are printed (0: never),
 * the watch ends for good, or Ctrl-C (a shutdown hook closes the watch then). Listeners call {@link #print}
 * and {@link #failed}; the command waits in {@link #await}.
 */
final class WatchRun {
    private final long count;
    private final PrintWriter out;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicLong printed = new AtomicLong();
    private final AtomicReference<TopHatException> failure = new AtomicReference<>();

    WatchRun(long count, PrintWriter out) {
        this.count = count;
        this.out = out;
    }

    /** Prints one event's line, unless the run is over. */
    void print(String line) {
        if (done.getCount() == 0) {
            return;
        }
        out.println(line);
        out.flush();
        if (printed.incrementAndGet() == count) {
            done.countDown();
        }
    }

    void failed(TopHatException cause) {
        failure.set(cause);
        done.countDown();
    }

    /**
     * Waits until the run is over and closes the watch; {@code atExit} runs with the watch after it closed at
     * Ctrl-C too. Returns why the watch ended for good, or null.
     */
    TopHatException await(Watch watch, Consumer<Watch> atExit) throws InterruptedException {
        Thread hook = new Thread(() -> {
            watch.close();
            atExit.accept(watch);
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            done.await();
        } finally {
            watch.close();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return failure.get();
    }
}
