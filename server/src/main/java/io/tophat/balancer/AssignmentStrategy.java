package io.tophat.balancer;

import java.util.List;

/** Chooses the worker for a producer that needs one. */
public interface AssignmentStrategy {

    /** Picks one of {@code candidates} (never empty, in a stable order) for {@code producer}. */
    Member choose(String producer, List<Member> candidates);

    /** The name used on the command line and in the cluster status. */
    String name();
}
