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
        String text = cause == null ? null : cause.getMessage();
        if (text == null && cause != null) {
            text = cause.getClass().getSimpleName();
        }
        return text == null ? "" : " (" + text + ")";
    }

    /** The address that could not be reached. */
    public URI uri() {
        return uri;
    }

    /** True when the server did not connect or answer within the timeout, false when the connection failed. */
    public boolean timedOut() {
        return timedOut;
    }
}
