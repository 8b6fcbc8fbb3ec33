package io.tophat.bench;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;

import java.io.IOException;
import java.net.ConnectException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

/**
 * Why a request got no HTTP answer. Answers with a status of 400 and above are errors too, counted by status
 * code in {@link LoadResult#statuses()}, not here.
 */
public enum ErrorKind {
    /** Nobody listens on the port, or the listen backlog is full: the connect was refused. */
    CONNECT_REFUSED("connect refused"),
    /** The connect failed for another reason (no route, address in use, ...). */
    CONNECT_ERROR("connect error"),
    /** The connect or the answer took longer than the timeout. */
    TIMEOUT("timeout"),
    /** The server closed or reset the connection before answering. */
    RESET("reset"),
    /** Anything else (a malformed answer, ...). */
    OTHER("other");

    private final String label;

    ErrorKind(String label) {
        this.label = label;
    }

    /** How the kind is written in reports, for example {@code connect refused}. */
    public String label() {
        return label;
    }

    /** The key used in JSON reports, for example {@code connect_refused}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Sorts a failure of the HTTP client into a kind. */
    public static ErrorKind of(Throwable failure) {
        if (failure instanceof ConnectTimeoutException || failure instanceof TimeoutException) {
            return TIMEOUT;
        }
        if (failure instanceof ConnectException) {
            String message = failure.getMessage();
            return message != null && message.contains("refused") ? CONNECT_REFUSED : CONNECT_ERROR;
        }
        if (failure instanceof HttpClosedException || failure instanceof StreamResetException) {
            return RESET;
        }
        if (failure instanceof IOException) {
            String message = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("reset") || message.contains("broken pipe") || message.contains("closed")) {
                return RESET;
            }
        }
        return OTHER;
    }
}
