package io.tophat.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;

/**
 * The services a process started, stopped in reverse order from one shutdown hook (SIGTERM, Ctrl-C) or when
 * the process decides to end. Each stop runs even if an earlier one failed.
 */
final class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    /** Stops one service, blocking until it has stopped. */
    @FunctionalInterface
    interface Stop {
        void stop() throws Exception;
    }

    private record Service(String name, Stop stop) {
    }

    private final Deque<Service> started = new ArrayDeque<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean stopping;

    synchronized void started(String name, Stop stop) {
        started.push(new Service(name, stop));
    }

    /** Stops everything started so far, newest first. Safe to call more than once; true for the call that stopped. */
    boolean stopAll() {
        synchronized (this) {
            if (stopping) {
                return false;
            }
            stopping = true;
        }
        while (true) {
            Service service;
            synchronized (this) {
                service = started.poll();
            }
            if (service == null) {
                break;
            }
            try {
                service.stop().stop();
            } catch (Exception e) {
                LOG.error("stopping the {} failed: {}", service.name(), e.getMessage());
            }
        }
        stopped.countDown();
        return true;
    }

    /** Installs the shutdown hook and blocks until everything is stopped. */
    void awaitShutdown() throws InterruptedException {
        // A JVM ended by a signal exits 128 + the signal's number even after a clean stop; a clean stop exits 0.
        Thread hook = new Thread(() -> {
            if (stopAll()) {
                Runtime.getRuntime().halt(0);
            }
        }, "tophat-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        stopped.await();
    }
}
