package io.tophat.balancer;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The compact producer-to-stores map against a plain map of sets, over generated adds and removals. */
class ProducerStoresTest {

    /** Each step names a producer (step % 21) and a store (step / 21 - 1), or -1: the producer is forgotten. */
    @Property(tries = 300)
    void holds_what_a_map_of_sets_holds(@ForAll @Size(max = 200) List<@IntRange(min = 0, max = 160) Integer> steps) {
        ProducerStores stores = new ProducerStores(4);
        Map<String, Set<String>> model = new HashMap<>();
        for (int step : steps) {
            String producer = "p" + (step % 21);
            int store = step / 21 - 1;
            if (store < 0) {
                stores.remove(producer);
                model.remove(producer);
                continue;
            }
            // a new String each time, as each request and row brings its own
            String name = new String("store-" + store);
            boolean added = model.computeIfAbsent(producer, p -> new TreeSet<>()).add(name);
            assertThat(stores.add(producer, name)).as("add %s to %s", name, producer).isEqualTo(added);
        }
        for (int p = 0; p <= 20; p++) {
            String producer = "p" + p;
            assertThat(stores.of(producer)).as(producer).isEqualTo(model.getOrDefault(producer, Set.of()));
        }
    }
}
