package io.tophat.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The daemon threads of a simulated fleet, one per producer or consumer: started, awaited, stopped together. */
final class FleetThreads {
    private final List<Thread> threads = new ArrayList<>();

    synchronized void start(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    /** Waits until every thread has ended or {@code timeout} passes; true when all ended. */
    boolean awaitCompletion(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : started()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            thread.join(Math.max(1, left / 1_000_000));
            if (thread.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** Interrupts every thread and waits up to {@code timeout} for them to end. */
    void stop(Duration timeout) {
        List<Thread> running = started();
        running.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            for (Thread thread : running) {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized List<Thread> started() {
        return List.copyOf(threads);
    }
}
