package io.tophat.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a simulated fleet in the foreground: starts it, prints a status line every {@code --report-every}, stops
 * after {@code --duration} or at Ctrl-C, and prints the total last.
 */
final class FleetRunner {

    /** What the runner needs of a fleet. */
    interface Fleet extends AutoCloseable {
        void start();

        boolean awaitCompletion(Duration timeout) throws InterruptedException;

        String intervalLine();

        String totalLine();

        @Override
        void close();
    }

    private FleetRunner() {
    }

    static void run(PrintWriter out, FleetOptions options, String startLine, Fleet fleet) throws InterruptedException {
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.started("final summary", () -> print(out, "total: " + fleet.totalLine()));
        print(out, startLine);
        fleet.start();
        lifecycle.started("fleet", fleet::close);
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fleet-status"));
        long start = System.nanoTime();
        long every = options.reportEvery.toMillis();
        reporter.scheduleAtFixedRate(() -> print(out, elapsed(start) + fleet.intervalLine()), every, every,
                TimeUnit.MILLISECONDS);
        lifecycle.started("status line", reporter::shutdownNow);
        if (!options.duration.isZero()) {
            daemon(() -> {
                try {
                    fleet.awaitCompletion(options.duration.plusSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                lifecycle.stopAll();
            }, "fleet-duration").start();
        }
        lifecycle.awaitShutdown();
    }

    static Fleet of(Runnable start, Completion completion, Supplier<String> interval, Supplier<String> total, Runnable close) {
        return new Fleet() {
            @Override
            public void start() {
                start.run();
            }

            @Override
            public boolean awaitCompletion(Duration timeout) throws InterruptedException {
                return completion.await(timeout);
            }

            @Override
            public String intervalLine() {
                return interval.get();
            }

            @Override
            public String totalLine() {
                return total.get();
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }

    /** Waits for a fleet's end. */
    interface Completion {
        boolean await(Duration timeout) throws InterruptedException;
    }

    private static void print(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }

    private static String elapsed(long startNanos) {
        return String.format(Locale.ROOT, "[%4ds] ", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos));
    }

    private static Thread daemon(Runnable runnable, String name) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
