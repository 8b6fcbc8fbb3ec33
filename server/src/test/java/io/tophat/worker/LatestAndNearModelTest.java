package io.tophat.worker;

import io.tophat.geo.Haversine;
import io.tophat.geo.NearIndex;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The latest cache and the near index wired as a worker wires them (the index shares the cache's records and is
 * told of its evictions; heartbeats go in through {@link IngestPipeline#fileNear}), against two plain maps, over
 * generated heartbeats (late device times, retries with the same seq, moves), erasures, the cached mode's
 * eviction of the older half and queries. A small capacity makes the cache evict all the time: the index must not
 * notice, and what the cache still holds is what the newer-record rule says.
 */
@Timeout(120)
class LatestAndNearModelTest {
    private static final int CAPACITY = 4;

    sealed interface Op permits Beat, Erase, EvictOlderHalf, Query {
    }

    record Beat(String producer, double lat, double lon, Long deviceTime, Long seq) implements Op {
    }

    record Erase(String producer) implements Op {
    }

    record EvictOlderHalf() implements Op {
    }

    record Query(double lat, double lon, double radiusM, int limit, long seenSince) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<String> producer = Arbitraries.of("356938035643809", "a", "b", "c", "d", "e", "f", "g");
        Arbitrary<Double> lat = Arbitraries.oneOf(Arbitraries.doubles().between(56.30, 56.36), Arbitraries.just(56.34));
        Arbitrary<Double> lon = Arbitraries.oneOf(Arbitraries.doubles().between(-2.86, -2.76), Arbitraries.just(-2.79));
        Arbitrary<Long> deviceTime = Arbitraries.longs().between(0, 40).injectNull(0.4);
        Arbitrary<Long> seq = Arbitraries.longs().between(1, 4).injectNull(0.4);
        Arbitrary<Op> beat = Combinators.combine(producer, lat, lon, deviceTime, seq).as(Beat::new);
        Arbitrary<Op> query = Combinators.combine(lat, lon, Arbitraries.doubles().between(1, 8000),
                Arbitraries.integers().between(1, 10), Arbitraries.longs().between(-1, 60)).as(Query::new);
        return Arbitraries.frequencyOf(Tuple.of(12, beat), Tuple.of(1, producer.map(Erase::new)),
                Tuple.of(1, Arbitraries.just(new EvictOlderHalf())), Tuple.of(4, query)).list().ofMaxSize(150);
    }

    @Property(tries = 300)
    void the_index_keeps_every_latest_position_whatever_the_cache_evicts(@ForAll("operations") List<Op> ops) {
        NearIndex near = new NearIndex(LatestCache.RECORDS);
        LatestCache cache = new LatestCache(CAPACITY, near::release);
        Map<String, Heartbeat> cached = new HashMap<>();
        Map<String, Heartbeat> positions = new HashMap<>();
        long clock = 0;
        for (Op op : ops) {
            if (op instanceof Beat b) {
                Heartbeat hb = new Heartbeat(b.producer(), Location.of(b.lat(), b.lon()), "{\"n\":" + clock + "}",
                        "10.0.0.7", ++clock, b.deviceTime(), b.seq());
                Heartbeat held = cache.get(b.producer()); // null once evicted
                boolean kept = held == null || supersedes(hb, held);
                byte[] record = cache.offer(hb.producer(), hb);
                assertThat(record != null).as("kept %s over %s", hb, held).isEqualTo(kept);
                IngestPipeline.fileNear(hb, record, near);
                cached.put(b.producer(), kept ? hb : held);
                Heartbeat was = positions.get(b.producer());
                if (was == null || was.time() <= hb.time()) {
                    positions.put(b.producer(), hb);
                }
            } else if (op instanceof Erase e) {
                cache.remove(e.producer());
                near.remove(e.producer());
                cached.remove(e.producer());
                positions.remove(e.producer());
            } else if (op instanceof EvictOlderHalf) {
                cache.evictOlderHalf();
            } else if (op instanceof Query q) {
                assertThat(answers(near.near(q.lat(), q.lon(), q.radiusM(), q.limit(), q.seenSince())))
                        .as("%s", q).isEqualTo(bruteForce(positions, q));
            }
            assertThat(cache.size()).isLessThanOrEqualTo(CAPACITY);
            for (Map.Entry<String, Heartbeat> e : cached.entrySet()) {
                Heartbeat inCache = cache.get(e.getKey());
                assertThat(inCache == null || inCache.equals(e.getValue())).as("%s cached as %s", e.getKey(), inCache)
                        .isTrue();
            }
            assertThat(near.size()).isEqualTo(positions.size());
        }
        Query everywhere = new Query(56.33, -2.81, NearIndex.MAX_RADIUS_M, 100, Long.MIN_VALUE);
        assertThat(answers(near.near(everywhere.lat(), everywhere.lon(), everywhere.radiusM(), everywhere.limit(),
                everywhere.seenSince()))).isEqualTo(bruteForce(positions, everywhere));
    }

    /** The cache's rule: not older, a tie to the later arrival, and not a retry of the one held (the same seq). */
    private static boolean supersedes(Heartbeat fresh, Heartbeat held) {
        return fresh.time() >= held.time()
                && (fresh.seq() == null || held.seq() == null || !Objects.equals(fresh.seq(), held.seq()));
    }

    private static List<String> answers(List<NearIndex.Near> found) {
        return found.stream().map(n -> n.position() + " at " + n.distanceM()).toList();
    }

    private static List<String> bruteForce(Map<String, Heartbeat> positions, Query q) {
        record Candidate(NearIndex.Position position, double distance) {
        }
        List<Candidate> all = new ArrayList<>();
        positions.forEach((p, hb) -> {
            double d = Haversine.metres(q.lat(), q.lon(), hb.location().lat(), hb.location().lon());
            if (hb.time() >= q.seenSince() && d <= q.radiusM()) {
                all.add(new Candidate(new NearIndex.Position(p, hb.location().lat(), hb.location().lon(), hb.time()), d));
            }
        });
        all.sort(Comparator.comparingDouble(Candidate::distance).thenComparing(c -> c.position().producer()));
        return all.stream().limit(q.limit()).map(c -> c.position() + " at " + c.distance()).toList();
    }
}
