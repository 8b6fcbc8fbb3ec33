package io.tophat.geo;

import com.google.common.geometry.S1Angle;
import com.google.common.geometry.S2Cap;
import com.google.common.geometry.S2CellId;
import com.google.common.geometry.S2LatLng;
import com.google.common.geometry.S2RegionCoverer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The latest position of every producer, indexed by S2 cell (level {@value #LEVEL}, cells of about 1 km), for
 * "who is near here" without a scan: a query covers its circle with at most {@value #MAX_COVERING_CELLS} cells,
 * reads the producers filed under them (a cell's descendants are one range of ids) and keeps those whose
 * great-circle distance is within the radius. S2 works on the sphere, so the antimeridian and the poles need no
 * special case; the nearest {@code limit} are kept in a bounded heap as the candidates are read. Updated on ingest: a heartbeat moves its producer only when its time is not older than the one
 * held, and touches the cell map only when the cell changes. Thread-safe.
 *
 * <p>A producer's position is a byte array read through a {@link Layout}: its own 24 bytes, or, in a worker, the
 * latest cache's packed record itself ({@link #offer(String, byte[], Layout)}), so a producer the cache holds
 * costs the index only its map node and about 6 bytes in its cell's {@link CellMembers}. When the cache drops a
 * record, {@link #release} swaps it for a copy of just the position, so the index never keeps the rest alive.
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

    /** How a position is read from, and packed into, a byte array. Implementations are stateless. */
    public interface Layout {
        double lat(byte[] packed);

        double lon(byte[] packed);

        /** The time by which "latest" is chosen. */
        long time(byte[] packed);

        /** A new array holding just this position, readable by this layout. */
        byte[] pack(double lat, double lon, long time);
    }

    /** The index's own layout: {@code lat:8 lon:8 time:8}, 40 bytes with the array's header. */
    public static final Layout POINT = new Layout() {
        private static final VarHandle DOUBLE = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.BIG_ENDIAN);
        private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

        @Override
        public double lat(byte[] packed) {
            return (double) DOUBLE.get(packed, 0);
        }

        @Override
        public double lon(byte[] packed) {
            return (double) DOUBLE.get(packed, 8);
        }

        @Override
        public long time(byte[] packed) {
            return (long) LONG.get(packed, 16);
        }

        @Override
        public byte[] pack(double lat, double lon, long time) {
            byte[] packed = new byte[24];
            DOUBLE.set(packed, 0, lat);
            DOUBLE.set(packed, 8, lon);
            LONG.set(packed, 16, time);
            return packed;
        }
    };

    private static final S2RegionCoverer COVERER = S2RegionCoverer.builder().setMaxLevel(LEVEL)
            .setMaxCells(MAX_COVERING_CELLS).build();

    private final Layout layout;
    private final ConcurrentHashMap<String, byte[]> byProducer = new ConcurrentHashMap<>();
    private final ConcurrentSkipListMap<Long, CellMembers> byCell = new ConcurrentSkipListMap<>();

    /** An index holding positions in its own {@link #POINT} layout. */
    public NearIndex() {
        this(POINT);
    }

    /** An index holding positions in {@code layout}, sharing the arrays offered in it. */
    public NearIndex(Layout layout) {
        this.layout = layout;
    }

    /**
     * Files the producer at this position unless what is held is newer. A producer is filed and unfiled under its
     * map entry's lock, so offers and removals of one producer never interleave; a query that runs while it
     * moves may find it under both cells, and checks it against its true position.
     */
    public void offer(String producer, double lat, double lon, long time) {
        file(producer, layout.pack(lat, lon, time));
    }

    /**
     * The same for a position packed in {@code in}: the array itself is kept when that is this index's layout
     * (it must not change afterwards), else a copy of the position.
     */
    public void offer(String producer, byte[] packed, Layout in) {
        file(producer, in == layout ? packed : layout.pack(in.lat(packed), in.lon(packed), in.time(packed)));
    }

    private void file(String producer, byte[] fresh) {
        long time = layout.time(fresh);
        byProducer.compute(producer, (p, held) -> {
            if (held == null) {
                fileUnder(cellOf(fresh), producer);
            } else if (layout.time(held) > time) {
                return held;
            } else if (!samePlace(held, fresh)) {
                long cell = cellOf(fresh);
                long was = cellOf(held);
                if (cell != was) {
                    fileUnder(cell, producer);
                    unfile(was, producer);
                }
            }
            return fresh;
        });
    }

    private boolean samePlace(byte[] a, byte[] b) {
        return Double.doubleToRawLongBits(layout.lat(a)) == Double.doubleToRawLongBits(layout.lat(b))
                && Double.doubleToRawLongBits(layout.lon(a)) == Double.doubleToRawLongBits(layout.lon(b));
    }

    /**
     * The array {@code packed}, offered earlier, is being dropped by its owner (the latest cache evicted it): when
     * it is still this producer's position, a copy of just the position takes its place.
     */
    public void release(String producer, byte[] packed) {
        byProducer.computeIfPresent(producer, (p, held) -> held == packed
                ? layout.pack(layout.lat(held), layout.lon(held), layout.time(held)) : held);
    }

    /** Forgets the producer (erased). */
    public void remove(String producer) {
        byProducer.computeIfPresent(producer, (p, held) -> {
            unfile(cellOf(held), producer);
            return null;
        });
    }

    private long cellOf(byte[] packed) {
        return cellOf(layout.lat(packed), layout.lon(packed));
    }

    private void fileUnder(long cell, String producer) {
        while (!byCell.computeIfAbsent(cell, c -> new CellMembers()).add(producer)) {
            // that set was emptied and dropped from the map before its lock was let go: the next one is new
        }
    }

    private void unfile(long cell, String producer) {
        CellMembers members = byCell.get(cell);
        if (members != null) {
            members.remove(producer, () -> byCell.remove(cell, members));
        }
    }

    public int size() {
        return byProducer.size();
    }

    /** The array held as the producer's position, or null: for tests of sharing and release. */
    byte[] held(String producer) {
        return byProducer.get(producer);
    }

    /** The producers filed under each cell, for tests of the cell map against the positions held. */
    java.util.Map<Long, java.util.Set<String>> filed() {
        java.util.Map<Long, java.util.Set<String>> filed = new java.util.TreeMap<>();
        byCell.forEach((cell, members) -> {
            String[] slots = members.slots();
            java.util.Set<String> producers = new java.util.TreeSet<>();
            for (int i = 0; i < slots.length; i++) {
                String producer = CellMembers.member(slots, i);
                if (producer != null) {
                    producers.add(producer);
                }
            }
            filed.put(cell, producers);
        });
        return filed;
    }

    /** The cell a position is filed under. */
    static long cellOf(double lat, double lon) {
        return S2CellId.fromLatLng(S2LatLng.fromDegrees(lat, lon)).parent(LEVEL).id();
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
        // a producer that moved during the query (to another cell of the covering, or out of a cell and back into
        // another of its slots) can be met twice: it is listed once
        java.util.Set<String> listed = new java.util.HashSet<>();
        for (S2CellId cover : covering) {
            for (CellMembers members : byCell.subMap(cover.rangeMin().id(), true, cover.rangeMax().id(), true).values()) {
                String[] slots = members.slots();
                for (int i = 0; i < slots.length; i++) {
                    String producer = CellMembers.member(slots, i);
                    if (producer == null) {
                        continue;
                    }
                    byte[] e = byProducer.get(producer);
                    if (e == null || layout.time(e) < seenSince || !within.test(producer)) {
                        continue;
                    }
                    double eLat = layout.lat(e);
                    double eLon = layout.lon(e);
                    double d = Haversine.metres(lat, lon, eLat, eLon);
                    if (d > radiusM || (nearest.size() == limit && d > nearest.peek().distanceM())
                            || !listed.add(producer)) {
                        continue;
                    }
                    nearest.add(new Near(new Position(producer, eLat, eLon, layout.time(e)), d));
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
