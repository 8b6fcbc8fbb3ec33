package io.tophat.balancer;

/**
 * A producer's worker. {@code epoch} grows with every assignment the balancer makes, so a newer assignment
 * of the same producer always has a larger epoch.
 */
public record Assignment(String producer, String workerId, long epoch, long assignedAt) {
}
