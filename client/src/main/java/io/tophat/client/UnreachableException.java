package io.tophat.client;

import java.net.URI;

/** A TopHat server could not be reached: the connection was refused or lost, or it did not answer in time. */
public final class UnreachableException extends TopHatException {
    private final URI uri;
    private final boolean timedOut;

    public UnreachableException(URI uri, boolean timedOut, Throwable cause) {
        super((timedOut ? "no answer in time from " : "cannot reach ") + uri + describe(cause), cause);
        this.uri = uri;
        this.timedOut = timedOut;
    }

    private static String describe(Throwable cause) {
        return cause == null ? "" : " (" + reason(cause) + ")";
    }

    /** A short reason for a failed exchange, such as {@code connection refused}. */
    static String reason(Throwable cause) {
        if (cause instanceof java.net.ConnectException && cause.getMessage() == null) {
            return "connection refused";
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    /** The address that could not be reached. */
    public URI uri() {
        return uri;
    }

    /** Why the exchange failed, for example {@code connection refused} or {@code request timed out}. */
    public String reason() {
        return getCause() == null ? getMessage() : reason(getCause());
    }

    /** True when the server did not connect or answer within the timeout, false when the connection failed. */
    public boolean timedOut() {
        return timedOut;
    }
}
