package io.tophat.geo;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A cell's set of producers against a {@code HashSet}, over generated additions and removals (enough to grow and
 * shrink it and to leave tombstones), and a reader that never locks against writers that churn the set.
 */
@Timeout(60)
class CellMembersTest {

    record Step(boolean add, String producer) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        // a few hundred ids, some of them with equal hash codes ("Aa" and "BB")
        Arbitrary<String> producer = Arbitraries.oneOf(Arbitraries.integers().between(0, 300).map(i -> "p" + i),
                Arbitraries.of("Aa", "BB", "AaAa", "BBBB", "AaBB", "BBAa"));
        return Combinators.combine(Arbitraries.integers().between(0, 9), producer)
                .as((coin, p) -> new Step(coin < 6, p)).list().ofMaxSize(600);
    }

    @Property(tries = 300)
    void the_set_holds_what_a_hash_set_holds_and_dies_when_emptied(@ForAll("steps") List<Step> steps) {
        CellMembers members = new CellMembers();
        Set<String> model = new HashSet<>();
        AtomicInteger emptied = new AtomicInteger();
        for (Step step : steps) {
            if (step.add()) {
                boolean alive = members.add(step.producer());
                if (emptied.get() > 0) {
                    assertThat(alive).as("a dead set refuses members").isFalse();
                    continue;
                }
                assertThat(alive).isTrue();
                model.add(step.producer());
            } else {
                boolean wasLast = model.size() == 1 && model.contains(step.producer());
                boolean dead = members.remove(step.producer(), emptied::incrementAndGet);
                assertThat(dead).as("emptied by removing %s", step.producer()).isEqualTo(wasLast);
                model.remove(step.producer());
            }
            assertThat(members.size()).isEqualTo(model.size());
            assertThat(snapshot(members)).containsExactlyInAnyOrderElementsOf(model);
        }
        assertThat(emptied.get()).isLessThanOrEqualTo(1);
    }

    private static List<String> snapshot(CellMembers members) {
        String[] slots = members.slots();
        List<String> found = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            String p = CellMembers.member(slots, i);
            if (p != null) {
                found.add(p);
            }
        }
        return found;
    }

    @Test
    void a_reader_sees_every_member_that_stays_while_others_come_and_go() throws Exception {
        CellMembers members = new CellMembers();
        Set<String> stay = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            stay.add("stay" + i);
            members.add("stay" + i);
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> problem = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(2);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                started.countDown();
                for (int round = 0; !done.get(); round++) {
                    // grows the set to hundreds and back, rehashing both ways, leaving tombstones
                    for (int i = 0; i < 400; i++) {
                        members.add("w" + writer + "-" + i);
                    }
                    for (int i = 0; i < 400; i++) {
                        members.remove("w" + writer + "-" + i, () -> problem.set("emptied while members stay"));
                    }
                }
            }));
        }
        writers.forEach(Thread::start);
        started.await();
        for (int read = 0; read < 20_000; read++) {
            List<String> seen = snapshot(members);
            Set<String> distinct = new HashSet<>(seen);
            if (seen.stream().filter(stay::contains).count() != stay.size()) {
                problem.set("a member that stays seen twice in one snapshot");
            }
            if (!distinct.containsAll(stay)) {
                problem.set("a member that stays was missed");
            }
        }
        done.set(true);
        for (Thread t : writers) {
            t.join();
        }
        assertThat(problem.get()).isNull();
        assertThat(snapshot(members)).containsExactlyInAnyOrderElementsOf(stay);
    }
}
