package io.tophat.geo;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The spatial index against brute force: 10,000 producers spread over the globe and crowded round the
 * antimeridian and both poles, random centres (there too) and radii from metres to thousands of kilometres.
 */
class NearIndexTest {
    private static final int PRODUCERS = 10_000;
    private static final NearIndex INDEX = new NearIndex();
    private static final List<NearIndex.Position> POSITIONS = new ArrayList<>();

    static {
        SplittableRandom random = new SplittableRandom(2026);
        for (int i = 0; i < PRODUCERS; i++) {
            double lat;
            double lon;
            switch (i % 4) {
                case 0 -> { // anywhere, uniform on the sphere
                    lat = Math.toDegrees(Math.asin(2 * random.nextDouble() - 1));
                    lon = random.nextDouble(-180, 180);
                }
                case 1 -> { // across the antimeridian
                    lat = random.nextDouble(-60, 60);
                    lon = random.nextBoolean() ? random.nextDouble(179, 180) : random.nextDouble(-180, -179);
                }
                case 2 -> { // round the poles
                    lat = random.nextBoolean() ? random.nextDouble(89.5, 90) : random.nextDouble(-90, -89.5);
                    lon = random.nextDouble(-180, 180);
                }
                default -> { // a city: many producers a few metres apart
                    lat = 56.34 + random.nextDouble(-0.01, 0.01);
                    lon = -2.79 + random.nextDouble(-0.01, 0.01);
                }
            }
            NearIndex.Position p = new NearIndex.Position("p" + i, lat, lon, 1000 + i);
            POSITIONS.add(p);
            INDEX.offer(p.producer(), lat, lon, p.time());
        }
    }

    @Provide
    Arbitrary<Tuple.Tuple3<Double, Double, Double>> queries() {
        Arbitrary<Double> lat = Arbitraries.oneOf(Arbitraries.doubles().between(-90, 90),
                Arbitraries.doubles().between(89, 90), Arbitraries.doubles().between(-90, -89),
                Arbitraries.doubles().between(56.3, 56.4));
        Arbitrary<Double> lon = Arbitraries.oneOf(Arbitraries.doubles().between(-180, 180),
                Arbitraries.doubles().between(179, 180), Arbitraries.doubles().between(-180, -179),
                Arbitraries.doubles().between(-2.8, -2.78));
        Arbitrary<Double> radius = Arbitraries.oneOf(Arbitraries.doubles().between(1, 1000),
                Arbitraries.doubles().between(1000, 100_000), Arbitraries.doubles().between(100_000, 5_000_000));
        return Combinators.combine(lat, lon, radius).as(Tuple::of);
    }

    @Property(tries = 300)
    void near_equals_brute_force_over_every_producer(@ForAll("queries") Tuple.Tuple3<Double, Double, Double> q) {
        double lat = q.get1();
        double lon = q.get2();
        double radius = q.get3();
        List<String> expected = POSITIONS.stream()
                .filter(p -> Haversine.metres(lat, lon, p.lat(), p.lon()) <= radius)
                .sorted(Comparator.comparingDouble((NearIndex.Position p) -> Haversine.metres(lat, lon, p.lat(), p.lon()))
                        .thenComparing(NearIndex.Position::producer))
                .map(NearIndex.Position::producer).toList();
        List<String> found = INDEX.near(lat, lon, radius, PRODUCERS, Long.MIN_VALUE).stream()
                .map(n -> n.position().producer()).toList();
        assertThat(found).as("within %.0f m of %.5f,%.5f", radius, lat, lon).isEqualTo(expected);
        List<String> nearest = INDEX.near(lat, lon, radius, 5, Long.MIN_VALUE).stream()
                .map(n -> n.position().producer()).toList();
        assertThat(nearest).isEqualTo(expected.subList(0, Math.min(5, expected.size())));
    }

    @Test
    void a_producer_that_moves_is_found_only_where_it_is_now_and_an_older_position_never_moves_it_back() {
        NearIndex index = new NearIndex();
        index.offer("walker", 56.34, -2.79, 100);
        index.offer("walker", 51.5, -0.12, 200);
        index.offer("walker", 56.34, -2.79, 150); // sent late: older than the one held
        assertThat(index.near(56.34, -2.79, 1000, 10, Long.MIN_VALUE)).isEmpty();
        assertThat(index.near(51.5, -0.12, 1000, 10, Long.MIN_VALUE)).extracting(n -> n.position().producer())
                .containsExactly("walker");
        assertThat(index.near(51.5, -0.12, 1000, 10, 201)).as("not seen since 201").isEmpty();
        index.remove("walker");
        assertThat(index.near(51.5, -0.12, 1000, 10, Long.MIN_VALUE)).isEmpty();
        assertThat(index.size()).isZero();
    }

    @Test
    void the_haversine_distance_is_right_across_the_antimeridian_and_at_the_poles() {
        assertThat(Haversine.metres(0, 179.9995, 0, -179.9995)).isCloseTo(111.2, org.assertj.core.data.Offset.offset(0.1));
        assertThat(Haversine.metres(90, 0, 90, 120)).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(Haversine.metres(-90, 0, 90, 0)).isCloseTo(NearIndex.MAX_RADIUS_M, org.assertj.core.data.Offset.offset(1.0));
    }
}
