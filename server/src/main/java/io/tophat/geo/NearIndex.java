package io.tophat.geo;

import com.google.common.geometry.S1Angle;
import com.google.common.geometry.S2Cap;
import com.google.common.geometry.S2CellId;
import com.google.common.geometry.S2LatLng;
import com.google.common.geometry.S2RegionCoverer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The latest position of every producer, indexed by S2 cell (level {@value #LEVEL}, cells of about 1 km), for
 * "who is near here" without a scan: a query covers its circle with at most {@value #MAX_COVERING_CELLS} cells,
 * reads the producers filed under them (a cell's descendants are one range of ids) and keeps those whose
 * great-circle distance is within the radius. S2 works on the sphere, so the antimeridian and the poles need no
 * special case; the nearest {@code limit} are kept in a bounded heap as the candidates are read. Updated on ingest: a heartbeat moves its producer only when its time is not older than the one
 * held, and touches the cell map only when the cell changes. Thread-safe; about 150 bytes per producer.
 */
public final class NearIndex {
    public static final int LEVEL = 13;
    public static final int MAX_COVERING_CELLS = 24;
    /** Half the Earth's circumference: no radius needs more. */
    public static final double MAX_RADIUS_M = Math.PI * Haversine.EARTH_RADIUS_M;

    /** Where a producer was at its latest heartbeat. */
    public record Position(String producer, double lat, double lon, long time) {
    }

    /** A producer within a query's radius. */
    public record Near(Position position, double distanceM) {
    }

    private record Entry(long cell, double lat, double lon, long time) {
    }

    private static final S2RegionCoverer COVERER = S2RegionCoverer.builder().setMaxLevel(LEVEL)
            .setMaxCells(MAX_COVERING_CELLS).build();

    private final Map<String, Entry> byProducer = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, Set<String>> byCell = new ConcurrentSkipListMap<>();

    /**
     * Files the producer at this position unless what is held is newer. Two offers for one producer at once may
     * leave it filed under a cell it left as well: a query then checks it against its true position, so it is
     * never missed, only looked at once more.
     */
    public void offer(String producer, double lat, double lon, long time) {
        long cell = S2CellId.fromLatLng(S2LatLng.fromDegrees(lat, lon)).parent(LEVEL).id();
        Entry fresh = new Entry(cell, lat, lon, time);
        Entry[] previous = new Entry[1];
        boolean[] kept = new boolean[1];
        byProducer.compute(producer, (p, held) -> {
            if (held != null && held.time() > time) {
                kept[0] = true;
                return held;
            }
            previous[0] = held;
            return fresh;
        });
        if (kept[0]) {
            return;
        }
        if (previous[0] == null || previous[0].cell() != cell) {
            byCell.computeIfAbsent(cell, c -> ConcurrentHashMap.newKeySet()).add(producer);
            if (previous[0] != null) {
                unfile(previous[0].cell(), producer);
            }
        }
    }

    /** Forgets the producer (erased). */
    public void remove(String producer) {
        Entry gone = byProducer.remove(producer);
        if (gone != null) {
            unfile(gone.cell(), producer);
        }
    }

    private void unfile(long cell, String producer) {
        byCell.computeIfPresent(cell, (c, producers) -> {
            producers.remove(producer);
            return producers.isEmpty() ? null : producers;
        });
    }

    public int size() {
        return byProducer.size();
    }

    /**
     * The producers within {@code radiusM} metres of (lat, lon) whose position is at least as recent as
     * {@code seenSince}, nearest first, at most {@code limit}.
     */
    public List<Near> near(double lat, double lon, double radiusM, int limit, long seenSince) {
        return near(lat, lon, radiusM, limit, seenSince, p -> true);
    }

    /** The same, among the producers {@code within} accepts (a consumer key's scope). */
    public List<Near> near(double lat, double lon, double radiusM, int limit, long seenSince,
                           java.util.function.Predicate<String> within) {
        S2LatLng centre = S2LatLng.fromDegrees(lat, lon);
        S2Cap cap = S2Cap.fromAxisAngle(centre.toPoint(), S1Angle.radians(Math.min(Math.PI, radiusM / Haversine.EARTH_RADIUS_M)));
        ArrayList<S2CellId> covering = new ArrayList<>();
        COVERER.getCovering(cap, covering);
        // the nearest `limit` so far, farthest on top: a candidate farther than it is dropped without an object
        Comparator<Near> order = Comparator.comparingDouble(Near::distanceM).thenComparing(n -> n.position().producer());
        PriorityQueue<Near> nearest = new PriorityQueue<>(Math.min(limit, 1024) + 1, order.reversed());
        for (S2CellId cover : covering) {
            for (Set<String> producers : byCell.subMap(cover.rangeMin().id(), true, cover.rangeMax().id(), true).values()) {
                for (String producer : producers) {
                    Entry e = byProducer.get(producer);
                    if (e == null || e.time() < seenSince || !within.test(producer)) {
                        continue;
                    }
                    double d = Haversine.metres(lat, lon, e.lat(), e.lon());
                    if (d > radiusM || (nearest.size() == limit && d > nearest.peek().distanceM())) {
                        continue;
                    }
                    nearest.add(new Near(new Position(producer, e.lat(), e.lon(), e.time()), d));
                    if (nearest.size() > limit) {
                        nearest.poll();
                    }
                }
            }
        }
        List<Near> found = new ArrayList<>(nearest);
        found.sort(order);
        return found;
    }
}
