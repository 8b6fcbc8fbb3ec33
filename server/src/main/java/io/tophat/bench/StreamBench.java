package io.tophat.bench;

import io.tophat.http.VertxRuntime;
import io.tophat.protocol.SseReader;
import io.tophat.stream.SseChunks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.Recorder;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench stream}: 1,000 producers (--producers N) sending 1,000 heartbeats/s in all (durable ack) to an
 * embedded worker, and
 * <ol>
 *     <li>100 subscribers at the balancer, each following 10 producers: the delay from each heartbeat's 200 at
 *     its producer to its event at every subscriber (p50/p99/max), and that every event came;</li>
 *     <li>subscribers straight at the worker, each following one producer, in rising numbers, and then firehose
 *     subscribers (every heartbeat) likewise: the most the worker holds while every subscriber gets every event
 *     with a p99 delay under {@value #KEEP_UP_P99_MS} ms and none lags.</li>
 * </ol>
 * Producers and subscribers run in this process on their own event loop; the figures include their cost.
 */
final class StreamBench {
    static final int DEFAULT_PRODUCERS = 1000;
    static final int RATE = 1000;
    static final int SUBSCRIBERS = 100;
    static final long KEEP_UP_P99_MS = 1000;
    private static final Duration STEP = Duration.ofSeconds(5);

    private final Bench bench;

    StreamBench(Bench bench) {
        this.bench = bench;
    }

    /** One subscriber's view: events counted, delays recorded. */
    private final class Subscriber {
        long events;
        boolean lagged;
        boolean failed;
        io.vertx.core.http.HttpConnection connection;

        void frame(String event, String id, String data) {
            if ("lagged".equals(event)) {
                lagged = true;
            }
            if (!"heartbeat".equals(event) || data == null) {
                return;
            }
            events++;
            Long acked = acks.get(key(field(data, "\"producer\":\""), seqOf(data)));
            if (acked != null) {
                long delay = System.nanoTime() - acked;
                if (delay >= 0) {
                    delays.recordValue(delay / 1000);
                } else {
                    early.incrementAndGet();
                }
            } else {
                early.incrementAndGet();
            }
        }
    }

    private final Map<Long, Long> acks = new ConcurrentHashMap<>();
    private final Recorder delays = new Recorder(3);
    private final AtomicLong early = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failedSends = new AtomicLong();
    private String[] ids;

    void run() {
        BenchOptions options = bench.options();
        BenchReport report = bench.report();
        if (!options.embedded()) {
            throw new IllegalArgumentException("stream starts its own embedded system; it takes no --balancer or --worker");
        }
        int producers = options.producersOr(DEFAULT_PRODUCERS);
        ids = new String[producers];
        for (int i = 0; i < producers; i++) {
            ids[i] = "st" + i;
        }
        Vertx clients = VertxRuntime.create(new VertxOptions().setEventLoopPoolSize(1));
        HttpClient http = clients.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                .setConnectTimeout(5000), new PoolOptions().setHttp1MaxSize(200_000));
        try (BenchSystem system = bench.system("stream", 1)) {
            URI balancer = system.balancer();
            URI worker = system.worker(Scenario.STREAM);
            for (String id : ids) {
                await(http.request(HttpMethod.GET, balancer.getPort(), balancer.getHost(), "/register/" + id)
                        .compose(r -> r.send()).compose(r -> r.body()));
            }
            long timer = clients.setPeriodic(10, t -> sendSome(http, worker, RATE / 100));
            try {
                Thread.sleep(2000);
                balancerSubscribers(report, http, balancer);
                workerRamp(report, http, worker, false, new int[]{1000, 2000, 4000, 8000});
                workerRamp(report, http, worker, true, new int[]{10, 25, 50, 100, 200, 400});
            } finally {
                clients.cancelTimer(timer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            await(clients.close());
        }
    }

    private long seq;
    private int next;

    /** Sends {@code n} heartbeats, round robin over the producers; each 200 is timed. */
    private void sendSome(HttpClient http, URI worker, int n) {
        for (int i = 0; i < n; i++) {
            String id = ids[next];
            next = (next + 1) % ids.length;
            long s = ++seq;
            String body = "{\"id\":\"" + id + "\",\"seq\":" + s + ",\"location\":{\"lat\":56.34,\"lon\":-2.79},"
                    + "\"data\":{\"temperature\":21.5,\"battery\":87,\"steps\":" + s + "}}";
            http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(worker.getHost())
                            .setPort(worker.getPort()).setURI("/api/v1/heartbeats").putHeader("Content-Type", "application/json"))
                    .compose(r -> r.send(body)).onComplete(r -> {
                        if (r.succeeded() && r.result().statusCode() == 200) {
                            acks.put(key(id, s), System.nanoTime());
                            sent.incrementAndGet();
                        } else {
                            failedSends.incrementAndGet();
                        }
                    });
        }
    }

    private void balancerSubscribers(BenchReport report, HttpClient http, URI balancer) throws InterruptedException {
        List<Subscriber> subs = new ArrayList<>();
        int per = Math.max(1, ids.length / SUBSCRIBERS);
        for (int s = 0; s < SUBSCRIBERS; s++) {
            StringBuilder set = new StringBuilder();
            for (int i = s * per; i < Math.min(ids.length, (s + 1) * per); i++) {
                set.append(set.length() == 0 ? "" : ",").append(ids[i]);
            }
            subs.add(subscribe(http, balancer, "/api/v1/stream?producers=" + set));
        }
        Thread.sleep(1000);
        Measured m = measure(subs, (double) SUBSCRIBERS * per / ids.length);
        Map<String, Object> json = m.json("balancer", SUBSCRIBERS, per);
        report.checked(String.format(Locale.ROOT, "through the balancer: %d subscribers of %d producers each, %,d "
                        + "heartbeats/s sent: delay from the producer's 200 to the event p50 %.2f ms, p99 %.2f ms, max "
                        + "%.2f ms (%,d events; %,d came before their 200 reached the producer)", SUBSCRIBERS, per,
                m.sentPerSecond(), m.p50(), m.p99(), m.max(), m.events(), m.early()), json,
                List.of(new Check(m.deliveredShare() >= 0.98, "every subscriber got every heartbeat of its producers: "
                        + m.events() + " events for about " + m.expected() + " expected"),
                        new Check(!m.lagged(), "no subscriber lagged")));
        close(subs);
    }

    private void workerRamp(BenchReport report, HttpClient http, URI worker, boolean firehose, int[] steps)
            throws InterruptedException {
        int held = 0;
        for (int count : steps) {
            List<Subscriber> subs = new ArrayList<>();
            for (int s = 0; s < count; s++) {
                subs.add(subscribe(http, worker, firehose ? "/api/v1/stream" : "/api/v1/producers/" + ids[s % ids.length]
                        + "/stream"));
            }
            Thread.sleep(1000 + count / 10);
            Measured m = measure(subs, firehose ? count : (double) count / ids.length);
            close(subs);
            boolean kept = !m.lagged() && !m.failed() && m.p99() <= KEEP_UP_P99_MS && m.deliveredShare() >= 0.98;
            report.line(String.format(Locale.ROOT, "  worker, %,d %s subscribers: p50 %.2f ms, p99 %.2f ms, %,d "
                            + "events (%.1f%% of expected), lagged %s -> %s", count, firehose ? "firehose" : "one-producer",
                    m.p50(), m.p99(), m.events(), 100 * m.deliveredShare(), m.lagged(), kept ? "keeps up" : "falls behind"));
            if (!kept) {
                break;
            }
            held = count;
            Thread.sleep(500);
        }
        // every step kept up: the limit lies beyond the ramp, so the figure is a floor
        boolean floor = held == steps[steps.length - 1];
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("kind", firehose ? "firehose" : "one-producer");
        json.put("most_subscribers_kept_up", held);
        json.put("ramp_top_kept_up", floor);
        report.checked(String.format(Locale.ROOT, "one worker at %,d heartbeats/s holds %s%,d %s subscribers keeping up "
                + "(p99 under %d ms, none lagged)%s", RATE, floor ? "at least " : "", held,
                firehose ? "firehose" : "one-producer", KEEP_UP_P99_MS, floor ? " (the ramp's top step)" : ""), json,
                List.of(new Check(held > 0, "at least the first step keeps up")));
    }

    /**
     * Counts and delays over one {@link #STEP}; {@code coverage}: events each heartbeat makes over all the
     * subscribers (1 when each producer has one subscriber, the subscriber count for firehoses).
     */
    private Measured measure(List<Subscriber> subs, double coverage) throws InterruptedException {
        long[] before = new long[subs.size()];
        for (int i = 0; i < subs.size(); i++) {
            before[i] = subs.get(i).events;
        }
        long sentBefore = sent.get();
        early.set(0);
        delays.getIntervalHistogram();
        Thread.sleep(STEP.toMillis());
        Histogram h = delays.getIntervalHistogram();
        long sentDuring = sent.get() - sentBefore;
        long events = 0;
        for (int i = 0; i < subs.size(); i++) {
            events += subs.get(i).events - before[i];
        }
        boolean lagged = subs.stream().anyMatch(x -> x.lagged);
        boolean failed = subs.stream().anyMatch(x -> x.failed);
        return new Measured(h, events, Math.round(sentDuring * coverage), sentDuring, lagged, failed, early.get());
    }

    private record Measured(Histogram h, long events, long expected, long sentDuring, boolean lagged, boolean failed,
                            long early) {
        double p50() {
            return h.getValueAtPercentile(50) / 1000.0;
        }

        double p99() {
            return h.getValueAtPercentile(99) / 1000.0;
        }

        double max() {
            return h.getMaxValue() / 1000.0;
        }

        long sentPerSecond() {
            return sentDuring * 1000 / STEP.toMillis();
        }

        /** Events that came over those the heartbeats sent in the same window make (the window edges blur it). */
        double deliveredShare() {
            return expected == 0 ? 0 : (double) events / expected;
        }

        Map<String, Object> json(String where, int subscribers, int perSubscriber) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("where", where);
            json.put("subscribers", subscribers);
            json.put("producers_each", perSubscriber);
            json.put("heartbeats_per_s", sentPerSecond());
            json.put("events", events);
            json.put("events_expected", expected);
            json.put("delay_p50_ms", LoadResult.round(p50()));
            json.put("delay_p99_ms", LoadResult.round(p99()));
            json.put("delay_max_ms", LoadResult.round(max()));
            json.put("events_before_ack", early);
            return json;
        }
    }

    private Subscriber subscribe(HttpClient http, URI server, String path) {
        Subscriber sub = new Subscriber();
        SseReader reader = new SseReader(sub::frame);
        http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(server.getHost()).setPort(server.getPort())
                        .setURI(path)).compose(r -> r.send())
                .onSuccess(resp -> {
                    sub.connection = resp.request().connection();
                    resp.handler(SseChunks.into(reader));
                    resp.exceptionHandler(e -> sub.failed = true);
                })
                .onFailure(e -> sub.failed = true);
        return sub;
    }

    private static void close(List<Subscriber> subs) {
        for (Subscriber s : subs) {
            if (s.connection != null) {
                s.connection.close();
            }
        }
    }

    private static long key(String producer, long seq) {
        return ((long) producer.hashCode() << 32) ^ seq;
    }

    private static String field(String json, String prefix) {
        int at = json.indexOf(prefix);
        if (at < 0) {
            return "";
        }
        int start = at + prefix.length();
        return json.substring(start, json.indexOf('"', start));
    }

    private static long seqOf(String json) {
        int at = json.lastIndexOf("\"seq\":");
        if (at < 0) {
            return -1;
        }
        int i = at + 6;
        long v = 0;
        while (i < json.length() && Character.isDigit(json.charAt(i))) {
            v = v * 10 + (json.charAt(i++) - '0');
        }
        return v;
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
