package io.tophat.client;

/**
 * Base of every failure the client library reports: a server answered with a status the call cannot use
 * ({@link ServerStatusException}) or could not be reached in time ({@link UnreachableException}).
 */
public class TopHatException extends RuntimeException {

    public TopHatException(String message) {
        super(message);
    }

    public TopHatException(String message, Throwable cause) {
        super(message, cause);
    }
}
