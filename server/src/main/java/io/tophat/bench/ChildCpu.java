package io.tophat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time (user and system) of this process's children that have ended and been reaped: the {@code cutime}
 * and {@code cstime} fields of {@code /proc/self/stat}. The JVM reaps a child as soon as it ends, and the kernel
 * then adds the child's whole CPU time to these fields, so a reading before {@link ProcessBuilder#start()} and
 * one after {@link Process#waitFor()} give the child's CPU time exactly (to a clock tick), which reading its own
 * {@code /proc/PID/stat} while it runs cannot: its last moments are missed. Linux only; elsewhere unknown.
 */
final class ChildCpu {
    /** The kernel's USER_HZ: the unit of the times in /proc, 100 on every Linux architecture Java runs on. */
    static final long TICKS_PER_SECOND = 100;
    private static final Path STAT = Path.of("/proc/self/stat");
    private static final int UTIME = 14;
    private static final int STIME = 15;
    private static final int CUTIME = 16;
    private static final int CSTIME = 17;

    private ChildCpu() {
    }

    /** The reaped children's CPU time so far, in nanoseconds; -1 when it cannot be read. */
    static long nanos() {
        try {
            return ticks(Files.readString(STAT)) * (1_000_000_000L / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * cutime + cstime of a {@code /proc/PID/stat} line, in clock ticks. Fields are counted from 1; the second,
     * the command name in parentheses, may hold spaces, so fields are counted from its closing parenthesis.
     */
    static long ticks(String stat) {
        return ticks(stat, CUTIME, CSTIME);
    }

    /**
     * The CPU time (user and system) process {@code pid} has used so far, in nanoseconds, from its own
     * {@code /proc/PID/stat} (utime + stime); -1 when it cannot be read.
     */
    static long ofProcess(long pid) {
        try {
            return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")), UTIME, STIME)
                    * (1_000_000_000L / TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long ticks(String stat, int first, int second) {
        int end = stat.lastIndexOf(')');
        if (end < 0) {
            throw new IllegalArgumentException("not a /proc stat line: " + stat);
        }
        String[] fields = stat.substring(end + 1).trim().split("\\s+");
        // fields[0] is field 3 (the state)
        return Long.parseLong(fields[first - 3]) + Long.parseLong(fields[second - 3]);
    }
}
