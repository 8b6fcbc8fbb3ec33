package io.tophat.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * CPU time spent during a measured run: by the whole process and by the load generator, so that the rest (the
 * system under test, when it runs in this process) can be told per request. The builtin generator's threads are
 * part of this process; wrk and ab are child processes of their own, whose CPU time (user and system) the kernel
 * hands to this process when it reaps them. CPU time per request moves far less than requests per second when
 * other jobs share the machine.
 *
 * @param processNanos   CPU time of every thread of this process
 * @param generatorNanos CPU time of the load generator: its threads in this process (builtin) or its own process
 *                       (wrk, ab); negative when it could not be read
 * @param generator      which generator {@code generatorNanos} is of
 */
public record CpuUse(long processNanos, long generatorNanos, Generator generator) {
    static final CpuUse NONE = new CpuUse(0, 0, Generator.BUILTIN);
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
        return new CpuUse(Math.max(0, os.getProcessCpuTime()), generator, Generator.BUILTIN);
    }

    CpuUse since(CpuUse before) {
        return this == NONE || before == NONE ? NONE
                : new CpuUse(processNanos - before.processNanos, generatorNanos - before.generatorNanos, generator);
    }

    /** This process's use, with {@code nanos} of CPU time spent by {@code external} (wrk or ab) in its own process. */
    CpuUse withExternal(Generator external, long nanos) {
        return new CpuUse(processNanos, nanos, external);
    }

    boolean known() {
        return processNanos > 0;
    }

    /** CPU time of everything in this process but the builtin generator (the system under test when embedded). */
    long othersNanos() {
        return generator.external() ? processNanos : Math.max(0, processNanos - generatorNanos);
    }

    /**
     * For example {@code cpu per request: 41.2 µs in all, 13.0 µs builtin generator, 28.2 µs the rest}, or for wrk
     * {@code cpu per request: 9.8 µs wrk (its own process), 31.2 µs this process}.
     */
    String describe(long requests) {
        if (requests == 0 || (!known() && generatorNanos <= 0)) {
            return "cpu per request: not measured";
        }
        if (generator.external()) {
            String tool = generatorNanos < 0 ? generator.label() + " not measured" : String.format(Locale.ROOT,
                    "%.1f µs %s (its own process)", micros(generatorNanos, requests), generator.label());
            return String.format(Locale.ROOT, "cpu per request: %s, %.1f µs this process (the system under test, "
                    + "when embedded)", tool, micros(processNanos, requests));
        }
        return String.format(Locale.ROOT, "cpu per request: %.1f µs in all, %.1f µs builtin generator, %.1f µs the rest",
                micros(processNanos, requests), micros(generatorNanos, requests), micros(othersNanos(), requests));
    }

    Map<String, Object> toJson(long requests) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generator", generator.label());
        out.put("process_us_per_request", LoadResult.round(micros(processNanos, requests)));
        if (generatorNanos >= 0) {
            out.put("generator_us_per_request", LoadResult.round(micros(generatorNanos, requests)));
        }
        if (!generator.external()) {
            out.put("others_us_per_request", LoadResult.round(micros(othersNanos(), requests)));
        }
        return out;
    }

    private static double micros(long nanos, long requests) {
        return requests == 0 ? 0 : nanos / 1000.0 / requests;
    }
}
