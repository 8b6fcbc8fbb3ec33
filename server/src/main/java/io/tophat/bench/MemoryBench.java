package io.tophat.bench;

import io.tophat.geo.NearIndex;
import io.tophat.protocol.Heartbeat;
import io.tophat.worker.HeartbeatParser;
import io.tophat.worker.LatestCache;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * {@code bench memory}: the live heap one worker's latest records need for N producers: its {@link LatestCache}
 * of capacity N, as a worker with {@code --cache-size N} holds, and the {@link NearIndex} of their positions that
 * "who is near here" answers from. Both are filled in this process through the path a {@code POST /heartbeat}
 * takes after HTTP ({@link HeartbeatParser#parse}, then {@link LatestCache#offer} and {@link NearIndex#offer})
 * with one realistic heartbeat per producer; no HTTP, no store. As in a worker, the index shares the cache's packed
 * records ({@link LatestCache#RECORDS}) and is told of the cache's evictions. The heap is measured after full collections
 * before, after the cache is filled and after the index is.
 */
final class MemoryBench {
    /** Issue 3: 1,000,000 producers' latest records in at most 300 MB, so 300 bytes per producer. */
    static final long TARGET_BYTES_PER_PRODUCER = 300;
    /** What one producer is expected to need at most, to refuse at once a heap that cannot hold the cache. */
    private static final long HEADROOM_BYTES_PER_PRODUCER = 500;

    private final Bench bench;

    MemoryBench(Bench bench) {
        this.bench = bench;
    }

    void run() {
        BenchOptions options = bench.options();
        BenchReport report = bench.report();
        if (!options.embedded()) {
            throw new IllegalArgumentException("memory measures a latest cache in this process; "
                    + "it takes no --balancer or --worker");
        }
        int producers = options.producersOr(BenchOptions.MEMORY_PRODUCERS);
        long maxHeap = Runtime.getRuntime().maxMemory();
        if (maxHeap != Long.MAX_VALUE && producers * HEADROOM_BYTES_PER_PRODUCER > maxHeap) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%,d producers need up to %,d MB of heap; "
                    + "this JVM has %,d MB: give more with TOPHAT_JAVA_OPTS=-Xmx...", producers,
                    producers * HEADROOM_BYTES_PER_PRODUCER / 1_000_000, maxHeap / 1_000_000));
        }
        byte[] sample = body(0, new SplittableRandom(0));
        report.line(String.format(Locale.ROOT, "filling a LatestCache of capacity %,d (a worker with --cache-size %d) "
                        + "in this process through HeartbeatParser.parse + LatestCache.offer, the worker's ingest path "
                        + "without HTTP and store; one heartbeat per producer, %d-byte bodies like:", producers, producers,
                sample.length));
        report.line("  " + new String(sample, StandardCharsets.UTF_8));
        report.line("heap: " + jvm());

        long before = HeapSampler.settledLiveHeap();
        long start = System.nanoTime();
        Filled alone = fill(producers, false);
        double fillSeconds = (System.nanoTime() - start) / 1e9;
        long after = HeapSampler.settledLiveHeap();
        int held = alone.cache().size();
        Reference.reachabilityFence(alone);
        alone = null;
        // again with the near index, as the ingest pipeline fills both (one id string for both)
        long beforeBoth = HeapSampler.settledLiveHeap();
        Filled both = fill(producers, true);
        long afterNear = HeapSampler.settledLiveHeap();
        int indexed = both.near().size();
        Reference.reachabilityFence(both);

        long cacheBytes = after - before;
        long bytes = afterNear - beforeBoth;
        long nearBytes = bytes - cacheBytes;
        double perProducer = (double) bytes / producers;
        long allowed = TARGET_BYTES_PER_PRODUCER * producers;
        report.line(String.format(Locale.ROOT, "filled %,d producers in %.1f s; live heap after full GCs: %.1f MB "
                        + "before, %.1f MB with the cache; filled again with the near index too: %.1f MB before, %.1f MB "
                        + "after (MB = 10^6 bytes)", held, fillSeconds, HeapTrend.mb(before), HeapTrend.mb(after),
                HeapTrend.mb(beforeBoth), HeapTrend.mb(afterNear)));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("producers", producers);
        result.put("cache_entries", held);
        result.put("filled_through", "HeartbeatParser.parse + LatestCache.offer in this process (no HTTP, no store)");
        result.put("body_bytes", sample.length);
        result.put("fill_s", LoadResult.round(fillSeconds));
        result.put("heap_before_mb", LoadResult.round(HeapTrend.mb(before)));
        result.put("heap_after_mb", LoadResult.round(HeapTrend.mb(after)));
        result.put("heap_before_near_mb", LoadResult.round(HeapTrend.mb(beforeBoth)));
        result.put("heap_after_near_mb", LoadResult.round(HeapTrend.mb(afterNear)));
        result.put("near_entries", indexed);
        result.put("cache_mb", LoadResult.round(HeapTrend.mb(cacheBytes)));
        result.put("near_index_mb", LoadResult.round(HeapTrend.mb(nearBytes)));
        result.put("total_mb", LoadResult.round(HeapTrend.mb(bytes)));
        result.put("bytes_per_producer", LoadResult.round(perProducer));
        result.put("target_mb", LoadResult.round(HeapTrend.mb(allowed)));
        result.put("jvm", jvm());
        boolean complete = held == producers && indexed == producers;
        report.checked(String.format(Locale.ROOT, "memory: the latest records of %,d producers hold %.1f MB of live "
                        + "heap (cache %.1f MB, near index %.1f MB), %.0f bytes per producer", producers,
                HeapTrend.mb(bytes), HeapTrend.mb(cacheBytes), HeapTrend.mb(nearBytes), perProducer), result,
                List.of(new Check(bytes <= allowed && complete, String.format(Locale.ROOT,
                        "at most 300 MB per 1,000,000 producers, near index included (%.1f MB for %,d): %.1f MB%s",
                        HeapTrend.mb(allowed), producers, HeapTrend.mb(bytes), complete ? ""
                                : ", but the cache holds " + held + " and the index " + indexed))));
    }

    /** A worker's latest records: its cache and, when filled, its near index. */
    private record Filled(LatestCache cache, NearIndex near) {
    }

    /**
     * A cache of capacity {@code producers} with one heartbeat of each, through the worker's parse path, and with
     * {@code withNear} their positions filed in a near index as the ingest pipeline files them.
     */
    private static Filled fill(int producers, boolean withNear) {
        NearIndex near = withNear ? new NearIndex(LatestCache.RECORDS) : null;
        LatestCache cache = withNear ? new LatestCache(producers, near::release) : new LatestCache(producers);
        each(producers, hb -> {
            byte[] record = cache.offer(hb.producer(), hb);
            if (near != null && record != null) {
                near.offer(hb.producer(), record, LatestCache.RECORDS);
            } else if (near != null) { // the cache kept what it held: the index takes a copy, as the pipeline does
                near.offer(hb.producer(), hb.location().lat(), hb.location().lon(), hb.time());
            }
        });
        return new Filled(cache, near);
    }

    /** Heartbeat {@code i} of every producer, parsed as the worker parses it; the same ones on every call. */
    private static void each(int producers, java.util.function.Consumer<Heartbeat> sink) {
        HeartbeatParser parser = new HeartbeatParser();
        SplittableRandom random = new SplittableRandom(42);
        long now = 1_764_000_000_000L;
        for (int i = 0; i < producers; i++) {
            sink.accept(parser.parse(body(i, random), ip(i), now + i / 1000));
        }
    }

    /**
     * Heartbeat {@code i}: a 15-digit IMEI-like id (distinct per {@code i}, Luhn check digit), a position near St
     * Andrews with accuracy, speed and bearing, a 45-byte data object, and a seq.
     */
    static byte[] body(int i, SplittableRandom random) {
        StringBuilder b = new StringBuilder(200);
        b.append("{\"id\":\"").append(imei(i)).append("\",\"seq\":").append(1_700_000_000_000L + i)
                .append(",\"location\":{\"lat\":").append(round(56.32 + random.nextDouble() * 0.04, 6))
                .append(",\"lon\":").append(round(-2.83 + random.nextDouble() * 0.06, 6))
                .append(",\"accuracy\":").append(round(3 + random.nextDouble() * 20, 1))
                .append(",\"speed\":").append(round(random.nextDouble() * 6, 2))
                .append(",\"bearing\":").append(round(random.nextDouble() * 359, 1))
                .append("},\"data\":{\"temperature\":").append(10 + random.nextInt(20)).append('.').append(random.nextInt(10))
                .append(",\"battery\":").append(10 + random.nextInt(90))
                .append(",\"steps\":").append(100 + random.nextInt(900)).append("}}");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** 35 (a GSMA reporting body), 12 digits distinct for every {@code i} below 10^12, and a Luhn check digit. */
    static String imei(long i) {
        String body = "35" + String.format(Locale.ROOT, "%012d", Math.floorMod(i * 7_919_001L, 1_000_000_000_000L));
        int sum = 0;
        for (int k = 0; k < body.length(); k++) {
            int d = body.charAt(body.length() - 1 - k) - '0';
            if (k % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return body + (10 - sum % 10) % 10;
    }

    /** A carrier-style IPv4 address, as the worker stamps from the connection. */
    private static String ip(int i) {
        return "10." + (i >>> 16 & 0xff) + "." + (i >>> 8 & 0xff) + "." + (i & 0xff);
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }

    private static String jvm() {
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", "));
        String oops;
        try {
            oops = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption("UseCompressedOops").getValue();
        } catch (RuntimeException e) {
            oops = "unknown";
        }
        return String.format(Locale.ROOT, "%s %s, max heap %,d MB, compressed oops %s, collectors %s",
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                Runtime.getRuntime().maxMemory() / 1_000_000, oops, gcs);
    }
}
