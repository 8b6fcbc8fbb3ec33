package io.tophat.balancer;

/** The balancer could not write a change to its state file; the request may be retried. */
public final class StateWriteException extends RuntimeException {
    public StateWriteException(String reason, Throwable cause) {
        super("the balancer could not write its state: " + reason, cause);
    }
}
