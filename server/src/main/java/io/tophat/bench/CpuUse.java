package io.tophat.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time spent during a measured run: by the whole process and by the load generator's own threads, so that
 * the rest (the system under test, when it runs in this process) can be told per request. CPU time per request
 * moves far less than requests per second when other jobs share the machine.
 *
 * @param processNanos   CPU time of every thread of this process
 * @param generatorNanos CPU time of the load generator's threads
 */
public record CpuUse(long processNanos, long generatorNanos) {
    static final CpuUse NONE = new CpuUse(0, 0);
    private static final String GENERATOR_PREFIX = "tophat-load-";

    /** Reads the counters now; {@link #since} turns two readings into the use in between. */
    static CpuUse now() {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)) {
            return NONE;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long generator = 0;
        if (threads.isThreadCpuTimeSupported()) {
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && info.getThreadName().startsWith(GENERATOR_PREFIX)) {
                    generator += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
                }
            }
        }
        return new CpuUse(Math.max(0, os.getProcessCpuTime()), generator);
    }

    CpuUse since(CpuUse before) {
        return this == NONE || before == NONE ? NONE
                : new CpuUse(processNanos - before.processNanos, generatorNanos - before.generatorNanos);
    }

    boolean known() {
        return processNanos > 0;
    }

    /** CPU time of everything but the load generator (the system under test when it runs in this process). */
    long othersNanos() {
        return Math.max(0, processNanos - generatorNanos);
    }

    /** For example {@code cpu per request: 41.2 µs in all, 13.0 µs load generator, 28.2 µs the rest}. */
    String describe(long requests) {
        if (!known() || requests == 0) {
            return "cpu per request: not measured";
        }
        return String.format(Locale.ROOT, "cpu per request: %.1f µs in all, %.1f µs load generator, %.1f µs the rest",
                micros(processNanos, requests), micros(generatorNanos, requests), micros(othersNanos(), requests));
    }

    Map<String, Object> toJson(long requests) {
        return Map.of("process_us_per_request", LoadResult.round(micros(processNanos, requests)),
                "generator_us_per_request", LoadResult.round(micros(generatorNanos, requests)),
                "others_us_per_request", LoadResult.round(micros(othersNanos(), requests)));
    }

    private static double micros(long nanos, long requests) {
        return requests == 0 ? 0 : nanos / 1000.0 / requests;
    }
}
