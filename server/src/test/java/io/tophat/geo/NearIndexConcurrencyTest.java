package io.tophat.geo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ingest on several threads while queries run: walkers move across cells, others are erased and come back, and a
 * reader asks for producers that never move. A producer that stays put is found by every query, and once the
 * writers stop the index and its cells hold exactly the last position of each producer.
 */
@Timeout(60)
class NearIndexConcurrencyTest {
    private static final int WRITERS = 3;
    private static final int WALKERS = 300;
    private static final int STAYING = 40;

    @Test
    void producers_that_stay_are_always_found_and_the_cells_end_where_the_producers_are() throws Exception {
        NearIndex index = new NearIndex();
        double[][] staying = new double[STAYING][];
        for (int i = 0; i < STAYING; i++) {
            staying[i] = new double[]{56.31 + i * 0.001, -2.85 + i * 0.002};
            index.offer("stay" + i, staying[i][0], staying[i][1], 0);
        }
        Map<String, double[]> last = new ConcurrentHashMap<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> problem = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                SplittableRandom random = new SplittableRandom(writer);
                for (long time = 1; time < 30_000; time++) {
                    String p = "w" + writer + "-" + random.nextInt(WALKERS);
                    if (random.nextInt(20) == 0) {
                        index.remove(p);
                        last.remove(p);
                        continue;
                    }
                    double lat = 56.30 + random.nextDouble(0.06);
                    double lon = -2.86 + random.nextDouble(0.10);
                    index.offer(p, lat, lon, time);
                    last.put(p, new double[]{lat, lon, time});
                    if (random.nextInt(10) == 0) {
                        index.offer(p, 0, 0, time - 1); // late: never moves it back
                    }
                }
            }));
        }
        Thread reader = new Thread(() -> {
            SplittableRandom random = new SplittableRandom(99);
            while (!done.get()) {
                int i = random.nextInt(STAYING);
                List<NearIndex.Near> found = index.near(staying[i][0], staying[i][1], 0.5, 10_000, Long.MIN_VALUE);
                if (found.stream().noneMatch(n -> n.position().producer().equals("stay" + i))) {
                    problem.set("stay" + i + " was not found");
                }
                List<NearIndex.Near> wide = index.near(56.33, -2.81, 10_000, 100_000, Long.MIN_VALUE);
                if (wide.stream().filter(n -> n.position().producer().startsWith("stay")).count() < STAYING) {
                    problem.set("a producer that stays was missed by a wide query");
                }
            }
        });
        reader.start();
        writers.forEach(Thread::start);
        for (Thread t : writers) {
            t.join();
        }
        done.set(true);
        reader.join();
        assertThat(problem.get()).isNull();

        Map<String, double[]> expected = new TreeMap<>(last);
        for (int i = 0; i < STAYING; i++) {
            expected.put("stay" + i, new double[]{staying[i][0], staying[i][1], 0});
        }
        assertThat(index.size()).isEqualTo(expected.size());
        Map<Long, Set<String>> cells = new TreeMap<>();
        expected.forEach((p, at) -> cells.computeIfAbsent(NearIndex.cellOf(at[0], at[1]), c -> new TreeSet<>()).add(p));
        assertThat(index.filed()).isEqualTo(cells);
        for (NearIndex.Near n : index.near(56.33, -2.81, 20_000, 100_000, Long.MIN_VALUE)) {
            double[] at = expected.get(n.position().producer());
            assertThat(new double[]{n.position().lat(), n.position().lon(), n.position().time()}).isEqualTo(at);
        }
    }

    @Test
    void one_producer_offered_on_several_threads_at_once_ends_filed_under_its_newest_position_only() throws Exception {
        NearIndex index = new NearIndex();
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        Map<String, Long> newest = new ConcurrentHashMap<>();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS + 1; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                SplittableRandom random = new SplittableRandom(100 + writer);
                for (int k = 0; k < 40_000; k++) {
                    String p = "shared" + random.nextInt(8);
                    long time = clock.incrementAndGet();
                    index.offer(p, 56.30 + random.nextDouble(0.06), -2.86 + random.nextDouble(0.10), time);
                    newest.merge(p, time, Math::max);
                }
            }));
        }
        writers.forEach(Thread::start);
        for (Thread t : writers) {
            t.join();
        }
        Map<Long, Set<String>> cells = new TreeMap<>();
        for (String p : newest.keySet()) {
            byte[] held = index.held(p);
            assertThat(NearIndex.POINT.time(held)).as(p).isEqualTo(newest.get(p));
            cells.computeIfAbsent(NearIndex.cellOf(NearIndex.POINT.lat(held), NearIndex.POINT.lon(held)),
                    c -> new TreeSet<>()).add(p);
        }
        assertThat(index.filed()).as("filed under its position's cell, and nowhere else").isEqualTo(cells);
    }
}
