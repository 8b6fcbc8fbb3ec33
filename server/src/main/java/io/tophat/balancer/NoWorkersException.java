package io.tophat.balancer;

/** No live worker can take a producer. */
public final class NoWorkersException extends RuntimeException {
    public NoWorkersException() {
        super("No workers are online right now", null, false, false);
    }
}
