package io.tophat.security;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What a consumer key reaches: every producer, or those listed by id and those whose id starts with one of the
 * prefixes; the operations it may perform; and how many requests a second it may make.
 *
 * @param producers ids the key reaches (with {@code prefixes}: either is enough); both empty means every producer
 * @param prefixes  id prefixes the key reaches
 * @param ops       what it may do
 * @param rate      its requests a second and burst ({@link RateLimit#NONE} for no limit)
 */
public record KeyScope(Set<String> producers, List<String> prefixes, Set<Op> ops, RateLimit rate) {
    public static final String DEFAULT_RATE = "1000";

    public KeyScope {
        producers = Set.copyOf(producers);
        prefixes = List.copyOf(prefixes);
        ops = ops.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(ops));
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one operation: read, stream, near, export or erase");
        }
        for (String p : prefixes) {
            if (p.isEmpty()) {
                throw new IllegalArgumentException("an id prefix must not be empty");
            }
        }
    }

    /** True when the key reaches every producer. */
    public boolean everyProducer() {
        return producers.isEmpty() && prefixes.isEmpty();
    }

    public boolean allows(String producer) {
        if (everyProducer() || producers.contains(producer)) {
            return true;
        }
        for (int i = 0; i < prefixes.size(); i++) {
            if (producer.startsWith(prefixes.get(i))) {
                return true;
            }
        }
        return false;
    }

    public boolean can(Op op) {
        return ops.contains(op);
    }
}
