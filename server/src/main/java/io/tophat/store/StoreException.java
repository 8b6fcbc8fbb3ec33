package io.tophat.store;

/** A store operation failed; the message says what and where, the cause holds the driver's error. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
