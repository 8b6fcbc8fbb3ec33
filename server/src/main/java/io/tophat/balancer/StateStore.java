package io.tophat.balancer;

import java.util.List;

/**
 * Where a balancer keeps its state: a SQLite file of its own ({@link BalancerStore}) or a PostgreSQL database
 * that several balancers share ({@link PostgresBalancerStore}). Written by one thread, in batches; read at start.
 */
public interface StateStore extends AutoCloseable {

    /** Why changes cannot be kept now, or null while they are written. */
    String problem();

    /** What the state holds, at start. */
    BalancerStore.State load();

    /** Writes the changes in one transaction; a failure is a {@link StateWriteException}. */
    void apply(List<BalancerStore.Change> changes);

    /** True when other balancers share this state: epochs come from {@link #reserveEpochs}, changes from {@link #othersChanges}. */
    default boolean shared() {
        return false;
    }

    /**
     * A block of {@link #epochBlock()} fencing epochs no other balancer is given, above every block given before and
     * above {@code above}: its first.
     */
    default long reserveEpochs(long above) {
        throw new UnsupportedOperationException("only a shared state hands out epochs");
    }

    /** How many epochs a block holds. */
    default int epochBlock() {
        return 0;
    }

    /** What the other balancers changed since the last call (in the order they committed it); blocking. */
    default List<BalancerStore.Change> othersChanges() {
        return List.of();
    }

    /** With a shared state: the producer's assignment and stores as the database holds them (empty: unknown); blocking. */
    default List<BalancerStore.Change> producer(String producer) {
        return List.of();
    }

    @Override
    void close();
}
