package io.tophat.geo;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Timeout;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The near index against a plain map of positions over generated sequences of offers (new producers, moves within
 * a cell and across cells, late and tied times, through each way of offering), releases of shared arrays (what the
 * latest cache's evictions do), removals and queries: every query answers what brute force over the map answers,
 * in the same order, and the cell map files each producer under its position's cell and nowhere else.
 */
@Timeout(120)
class NearIndexModelTest {
    /** A caller's record layout with other bytes before the position, as the latest cache's records have. */
    static final NearIndex.Layout RECORD = new NearIndex.Layout() {
        private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

        @Override
        public double lat(byte[] packed) {
            return (double) DOUBLE.get(packed, 8);
        }

        @Override
        public double lon(byte[] packed) {
            return (double) DOUBLE.get(packed, 16);
        }

        @Override
        public long time(byte[] packed) {
            return (long) LONG.get(packed, 24);
        }

        @Override
        public byte[] pack(double lat, double lon, long time) {
            byte[] packed = new byte[40];
            LONG.set(packed, 0, 0x7070_7070_7070_7070L);
            DOUBLE.set(packed, 8, lat);
            DOUBLE.set(packed, 16, lon);
            LONG.set(packed, 24, time);
            return packed;
        }
    };

    sealed interface Op permits Offer, Release, Remove, Query {
    }

    /** How: 0 by coordinates, 1 an array in the index's layout (shared), 2 an array in another layout (copied). */
    record Offer(String producer, double lat, double lon, long time, int how) implements Op {
    }

    /** The owner drops the array last shared for the producer ({@code stale}: an older one it no longer holds). */
    record Release(String producer, boolean stale) implements Op {
    }

    record Remove(String producer) implements Op {
    }

    record Query(double lat, double lon, double radiusM, int limit, long seenSince) implements Op {
    }

    private record Held(double lat, double lon, long time) {
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<String> producer = Arbitraries.of("a", "b", "c", "d", "e", "f", "g", "h", "3500000000000061", "z");
        // a town of a few dozen level-13 cells, a handful of exact spots shared by many, and anywhere on Earth
        Arbitrary<double[]> place = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Combinators.combine(Arbitraries.doubles().between(56.30, 56.36),
                        Arbitraries.doubles().between(-2.86, -2.76)).as((la, lo) -> new double[]{la, lo})),
                net.jqwik.api.Tuple.of(3, Arbitraries.of(new double[]{56.34, -2.79}, new double[]{56.3401, -2.7901},
                        new double[]{0.0, 180.0}, new double[]{-0.0, -180.0}, new double[]{90.0, 0.0})),
                net.jqwik.api.Tuple.of(1, Combinators.combine(Arbitraries.doubles().between(-90, 90),
                        Arbitraries.doubles().between(-180, 180)).as((la, lo) -> new double[]{la, lo})));
        Arbitrary<Long> time = Arbitraries.longs().between(0, 12);
        Arbitrary<Op> offer = Combinators.combine(producer, place, time, Arbitraries.integers().between(0, 2))
                .as((p, at, t, how) -> new Offer(p, at[0], at[1], t, how));
        Arbitrary<Op> release = Combinators.combine(producer, Arbitraries.of(false, true)).as(Release::new);
        Arbitrary<Op> remove = producer.map(Remove::new);
        Arbitrary<Op> query = Combinators.combine(place, Arbitraries.oneOf(Arbitraries.doubles().between(1, 3000),
                        Arbitraries.doubles().between(3000, 3_000_000), Arbitraries.just(NearIndex.MAX_RADIUS_M)),
                Arbitraries.integers().between(1, 12), Arbitraries.longs().between(-1, 13))
                .as((at, r, limit, since) -> new Query(at[0], at[1], r, limit, since));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(10, offer), net.jqwik.api.Tuple.of(2, release),
                net.jqwik.api.Tuple.of(1, remove), net.jqwik.api.Tuple.of(4, query)).list().ofMaxSize(120);
    }

    @Property(tries = 400)
    void the_index_answers_as_brute_force_over_a_map_of_latest_positions(@ForAll("operations") List<Op> ops) {
        NearIndex index = new NearIndex(RECORD);
        Map<String, Held> model = new HashMap<>();
        Map<String, List<byte[]>> shared = new HashMap<>();
        for (Op op : ops) {
            if (op instanceof Offer o) {
                offer(index, model, shared, o);
            } else if (op instanceof Release r) {
                release(index, shared, r);
            } else if (op instanceof Remove r) {
                index.remove(r.producer());
                model.remove(r.producer());
                shared.remove(r.producer());
            } else if (op instanceof Query q) {
                assertThat(answers(index.near(q.lat(), q.lon(), q.radiusM(), q.limit(), q.seenSince())))
                        .as("%s", q).isEqualTo(bruteForce(model, q));
            }
            assertThat(index.size()).isEqualTo(model.size());
            assertThat(index.filed()).as("cells after %s", op).isEqualTo(cells(model));
        }
        for (Map.Entry<String, Held> e : model.entrySet()) {
            byte[] held = index.held(e.getKey());
            assertThat(new Held(RECORD.lat(held), RECORD.lon(held), RECORD.time(held))).isEqualTo(e.getValue());
        }
    }

    private static void offer(NearIndex index, Map<String, Held> model, Map<String, List<byte[]>> shared, Offer o) {
        byte[] packed = null;
        switch (o.how()) {
            case 0 -> index.offer(o.producer(), o.lat(), o.lon(), o.time());
            case 1 -> {
                packed = RECORD.pack(o.lat(), o.lon(), o.time());
                index.offer(o.producer(), packed, RECORD);
            }
            default -> {
                byte[] other = NearIndex.POINT.pack(o.lat(), o.lon(), o.time());
                index.offer(o.producer(), other, NearIndex.POINT);
                assertThat(index.held(o.producer())).as("an array in another layout is copied").isNotSameAs(other);
            }
        }
        Held was = model.get(o.producer());
        if (was == null || was.time() <= o.time()) {
            model.put(o.producer(), new Held(o.lat(), o.lon(), o.time()));
            if (packed != null) {
                assertThat(index.held(o.producer())).as("shared, not copied").isSameAs(packed);
                shared.computeIfAbsent(o.producer(), p -> new ArrayList<>()).add(packed);
            }
        } else {
            assertThat(index.held(o.producer())).as("an older position is not taken").isNotSameAs(packed);
        }
    }

    private static void release(NearIndex index, Map<String, List<byte[]>> shared, Release r) {
        List<byte[]> arrays = shared.getOrDefault(r.producer(), List.of());
        byte[] before = index.held(r.producer());
        if (arrays.isEmpty()) {
            index.release(r.producer(), RECORD.pack(1, 2, 3));
            assertThat(index.held(r.producer())).as("a foreign array releases nothing").isSameAs(before);
            return;
        }
        byte[] dropped = r.stale() ? arrays.get(0) : arrays.get(arrays.size() - 1);
        index.release(r.producer(), dropped);
        byte[] after = index.held(r.producer());
        if (before == dropped) {
            assertThat(after).as("swapped for a copy").isNotSameAs(dropped);
            assertThat(RECORD.lat(after)).isEqualTo(RECORD.lat(dropped));
            assertThat(RECORD.lon(after)).isEqualTo(RECORD.lon(dropped));
            assertThat(RECORD.time(after)).isEqualTo(RECORD.time(dropped));
        } else {
            assertThat(after).as("an array not held is not touched").isSameAs(before);
        }
    }

    /** What a query answers, in full: producer, position, time and distance. */
    private static List<String> answers(List<NearIndex.Near> found) {
        return found.stream().map(n -> n.position() + " at " + n.distanceM()).toList();
    }

    private static List<String> bruteForce(Map<String, Held> model, Query q) {
        record Candidate(NearIndex.Position position, double distance) {
        }
        List<Candidate> all = new ArrayList<>();
        model.forEach((p, h) -> {
            double d = Haversine.metres(q.lat(), q.lon(), h.lat(), h.lon());
            if (h.time() >= q.seenSince() && d <= q.radiusM()) {
                all.add(new Candidate(new NearIndex.Position(p, h.lat(), h.lon(), h.time()), d));
            }
        });
        all.sort(Comparator.comparingDouble(Candidate::distance).thenComparing(c -> c.position().producer()));
        return all.stream().limit(q.limit()).map(c -> c.position() + " at " + c.distance()).toList();
    }

    private static Map<Long, Set<String>> cells(Map<String, Held> model) {
        Map<Long, Set<String>> cells = new TreeMap<>();
        model.forEach((p, h) -> cells.computeIfAbsent(NearIndex.cellOf(h.lat(), h.lon()), c -> new TreeSet<>()).add(p));
        return cells;
    }
}
