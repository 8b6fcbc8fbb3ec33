package io.tophat.balancer;

import java.util.List;
import java.util.function.ToIntFunction;

/** Chooses the worker for a producer that needs one. */
public interface AssignmentStrategy {

    /**
     * Picks one of {@code candidates} (never empty, sorted by id) for {@code producer}; {@code held} tells how
     * many producers a worker id holds now.
     */
    Member choose(String producer, List<Member> candidates, ToIntFunction<String> held);

    /** The name used on the command line and in the cluster status. */
    String name();
}
