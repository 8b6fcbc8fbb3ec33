package io.tophat.client;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** A TopHat server answered, but with a status the call cannot use. Carries the status and the server's message. */
public final class ServerStatusException extends TopHatException {
    private final URI uri;
    private final int status;
    private final String serverMessage;
    private final Duration retryAfter;

    public ServerStatusException(URI uri, int status, String serverMessage, Duration retryAfter) {
        super(uri + " answered " + status + (serverMessage.isEmpty() ? "" : ": " + serverMessage));
        this.uri = uri;
        this.status = status;
        this.serverMessage = serverMessage;
        this.retryAfter = retryAfter;
    }

    /** The address that answered. */
    public URI uri() {
        return uri;
    }

    /** The HTTP status code. */
    public int status() {
        return status;
    }

    /** The server's explanation: the {@code error: detail} of a JSON error body, else the text body; may be empty. */
    public String serverMessage() {
        return serverMessage;
    }

    /** How long the server asked the client to wait (503 and 429 answers), when it said so. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
