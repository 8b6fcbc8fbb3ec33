package io.tophat.http;

import io.tophat.config.Durations;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;

/**
 * The bounds the HTTP layer keeps on its own, whatever the routes behind it do: how long a request may take to
 * arrive, how long a silent connection stays open, and how many connections a process and one client address may
 * hold. Each is a command-line flag; the messages of a bad value name it.
 *
 * @param requestTimeout           {@code --request-timeout}: from a request's first byte until its last body byte
 *                                 has been read. When it passes, the client gets 408 (or, when the request was
 *                                 answered already, nothing more) and the connection is closed. A keep-alive
 *                                 connection waiting between requests and a stream whose request is complete are not
 *                                 under this clock.
 * @param idleTimeout              {@code --idle-timeout}: a connection with no traffic either way for this long is
 *                                 closed
 * @param maxConnections           {@code --max-connections}: most connections one {@link HttpService} holds at once
 *                                 (across all its event loops); one more is answered 503 and closed as soon as it is
 *                                 accepted. 0 for no cap. The default is derived once from the process's open file
 *                                 limit, see {@link #DEFAULT_MAX_CONNECTIONS}.
 * @param maxConnectionsPerAddress {@code --max-connections-per-address}: most connections one source IP address
 *                                 holds to one {@link HttpService}; beyond it, 503 as above. 0 for no cap.
 */
public record HttpLimits(Duration requestTimeout, Duration idleTimeout, int maxConnections,
                         int maxConnectionsPerAddress) {
    /**
     * The longest timeout accepted: Vert.x takes the idle timeout as an int of milliseconds, 24.8 days. Declared
     * before {@link #DEFAULT}, whose construction checks against it.
     */
    private static final Duration LONGEST_TIMEOUT = Duration.ofDays(24);
    public static final String DEFAULT_REQUEST_TIMEOUT = "15s";
    public static final String DEFAULT_IDLE_TIMEOUT = "60s";
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1024;
    /** File descriptors the derived connection cap leaves to everything else: files, database connections. */
    public static final int DESCRIPTOR_RESERVE = 1024;
    /** The derived connection cap is never below this, however low the open file limit. */
    public static final int LEAST_DERIVED_MAX_CONNECTIONS = 256;
    /**
     * The process's open file limit less {@link #DESCRIPTOR_RESERVE}, at least {@link #LEAST_DERIVED_MAX_CONNECTIONS};
     * 0 (no cap) where the JVM cannot tell the limit (not a Unix).
     */
    public static final int DEFAULT_MAX_CONNECTIONS = derivedMaxConnections(openFileLimit());
    public static final HttpLimits DEFAULT = new HttpLimits(Durations.parse(DEFAULT_REQUEST_TIMEOUT),
            Durations.parse(DEFAULT_IDLE_TIMEOUT), DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);

    public HttpLimits {
        checkTimeout("--request-timeout", requestTimeout);
        checkTimeout("--idle-timeout", idleTimeout);
        if (maxConnections < 0) {
            throw new IllegalArgumentException("--max-connections must be 0 (no cap) or more, not " + maxConnections);
        }
        if (maxConnectionsPerAddress < 0) {
            throw new IllegalArgumentException("--max-connections-per-address must be 0 (no cap) or more, not "
                    + maxConnectionsPerAddress);
        }
    }

    /** The connection cap for an open file limit ({@code -1} when unknown): see {@link #DEFAULT_MAX_CONNECTIONS}. */
    static int derivedMaxConnections(long openFileLimit) {
        if (openFileLimit < 0) {
            return 0;
        }
        return (int) Math.min(Integer.MAX_VALUE,
                Math.max(LEAST_DERIVED_MAX_CONNECTIONS, openFileLimit - DESCRIPTOR_RESERVE));
    }

    private static long openFileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
    }

    private static void checkTimeout(String flag, Duration timeout) {
        if (timeout == null) {
            throw new IllegalArgumentException(flag + " is missing; write it as in 500ms, 20s or 5m");
        }
        if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(LONGEST_TIMEOUT) > 0) {
            throw new IllegalArgumentException(flag + " must be between 1ms and " + Durations.format(LONGEST_TIMEOUT)
                    + ", not " + Durations.format(timeout));
        }
    }
}
