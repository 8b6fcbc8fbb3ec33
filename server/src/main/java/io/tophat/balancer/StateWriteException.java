package io.tophat.balancer;

/**
 * The balancer could not write a change to its state; the request may be retried. The reason is for clients too:
 * a condition ("the disk is full"), never the state file's path or the database's address, which the log has.
 */
public final class StateWriteException extends RuntimeException {
    public StateWriteException(String reason, Throwable cause) {
        super("the balancer could not write its state: " + reason, cause);
    }
}
