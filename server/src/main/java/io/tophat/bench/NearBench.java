package io.tophat.bench;

import io.tophat.geo.NearIndex;
import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench near}: one worker's spatial index ({@link NearIndex}) filled with N producers (1,000,000 by default)
 * spread over Great Britain as phones are (half of them in ten cities), then "who is near here" asked at random
 * points for radii of 100 m, 1 km and 50 km (limit 100, as the API's default): p50/p99 per query, in this process,
 * without HTTP (the worker's handler adds its JSON on top). Also the fill rate, which is the index's share of ingest.
 */
final class NearBench {
    static final int DEFAULT_PRODUCERS = 1_000_000;
    private static final int QUERIES = 2000;
    private static final double[][] CITIES = {{51.507, -0.128}, {52.486, -1.890}, {53.480, -2.242}, {55.953, -3.188},
            {55.864, -4.252}, {53.801, -1.549}, {51.454, -2.588}, {54.978, -1.618}, {56.340, -2.796}, {52.205, 0.119}};

    private final Bench bench;

    NearBench(Bench bench) {
        this.bench = bench;
    }

    void run() {
        BenchReport report = bench.report();
        int producers = bench.options().producersOr(DEFAULT_PRODUCERS);
        SplittableRandom random = new SplittableRandom(7);
        NearIndex index = new NearIndex();
        long start = System.nanoTime();
        for (int i = 0; i < producers; i++) {
            double[] at = point(random);
            index.offer("p" + i, at[0], at[1], i);
        }
        double fillSeconds = (System.nanoTime() - start) / 1e9;
        report.line(String.format(Locale.ROOT, "filled the index with %,d producers in %.1f s (%,.0f positions/s); "
                + "half in ten cities, half anywhere in Great Britain", producers, fillSeconds, producers / fillSeconds));
        for (double radius : new double[]{100, 1000, 50_000}) {
            for (int warm = 0; warm < 200; warm++) {
                double[] at = point(random);
                index.near(at[0], at[1], radius, 100, Long.MIN_VALUE);
            }
            Histogram micros = new Histogram(3_600_000_000L, 3);
            long found = 0;
            for (int q = 0; q < QUERIES; q++) {
                double[] at = point(random);
                long t0 = System.nanoTime();
                found += index.near(at[0], at[1], radius, 100, Long.MIN_VALUE).size();
                micros.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("producers", producers);
            json.put("radius_m", radius);
            json.put("queries", QUERIES);
            json.put("mean_found", found / (double) QUERIES);
            json.put("p50_us", micros.getValueAtPercentile(50));
            json.put("p99_us", micros.getValueAtPercentile(99));
            json.put("max_us", micros.getMaxValue());
            report.checked(String.format(Locale.ROOT, "near, radius %,.0f m over %,d producers: p50 %,d µs, p99 %,d µs, "
                            + "max %,d µs; %.1f producers found a query on average (limit 100)", radius, producers,
                    micros.getValueAtPercentile(50), micros.getValueAtPercentile(99), micros.getMaxValue(),
                    found / (double) QUERIES), json, List.of());
        }
    }

    /** Half the points in a city (within about 10 km of its centre), half anywhere in Great Britain. */
    private static double[] point(SplittableRandom random) {
        if (random.nextBoolean()) {
            double[] city = CITIES[random.nextInt(CITIES.length)];
            return new double[]{city[0] + random.nextDouble(-0.09, 0.09), city[1] + random.nextDouble(-0.15, 0.15)};
        }
        return new double[]{random.nextDouble(50.0, 58.5), random.nextDouble(-5.5, 1.7)};
    }
}
