package io.tophat.balancer;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Producer to every store that ever held its heartbeats, for a million producers in little memory: almost every
 * producer has one store, so an entry's value is that store's name (one shared instance per store) or, once the
 * producer has moved, a sorted array of them, replaced whole on each change. A set per producer cost about 200
 * bytes more each.
 */
final class ProducerStores {
    private final Map<String, Object> byProducer;
    /** One instance of each store name, whichever row or request it came from. */
    private final Map<String, String> names = new ConcurrentHashMap<>();

    /** For about {@code expected} producers (it grows past them). */
    ProducerStores(int expected) {
        byProducer = new ConcurrentHashMap<>(expected);
    }

    /** Records that {@code store} holds some of the producer's heartbeats; true when it was not known. */
    boolean add(String producer, String store) {
        String name = names.computeIfAbsent(store, s -> s);
        boolean[] added = {false};
        byProducer.compute(producer, (p, held) -> {
            Object next = with(held, name);
            added[0] = next != held;
            return next;
        });
        return added[0];
    }

    /** Every store of the producer; empty for one not known. */
    Set<String> of(String producer) {
        Object held = byProducer.get(producer);
        if (held == null) {
            return Set.of();
        }
        return held instanceof String one ? Set.of(one) : Set.of((String[]) held);
    }

    void remove(String producer) {
        byProducer.remove(producer);
    }

    /** {@code held} with {@code name} added: the same object when it was there already. */
    private static Object with(Object held, String name) {
        if (held == null) {
            return name;
        }
        if (held instanceof String one) {
            if (one.equals(name)) {
                return held;
            }
            return one.compareTo(name) < 0 ? new String[] {one, name} : new String[] {name, one};
        }
        String[] several = (String[]) held;
        int at = Arrays.binarySearch(several, name);
        if (at >= 0) {
            return held;
        }
        int insert = -at - 1;
        String[] next = new String[several.length + 1];
        System.arraycopy(several, 0, next, 0, insert);
        next[insert] = name;
        System.arraycopy(several, insert, next, insert + 1, several.length - insert);
        return next;
    }
}
