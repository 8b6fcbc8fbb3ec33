package io.tophat.stream;

import io.tophat.client.Area;
import io.tophat.client.AreaEvent;
import io.tophat.client.AreaListener;
import io.tophat.client.AreaOccupancy;
import io.tophat.client.ConsumerConfig;
import io.tophat.client.NearAnswer;
import io.tophat.client.ServerStatusException;
import io.tophat.client.StreamListener;
import io.tophat.client.StreamedHeartbeat;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.TopHatException;
import io.tophat.client.Watch;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.testing.ConnectionCutter;
import io.tophat.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client library's live calls against a real balancer and three workers: {@code watch} reconnects by itself
 * after its connections are cut and after it lagged, and delivers each heartbeat once, in order; a refused watch
 * ends with the server's reason; {@code near}, the area calls and {@code areaEvents} answer what the servers hold.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsumerWatchTest {
    @TempDir
    static Path dir;

    private EmbeddedCluster cluster;
    private TopHatConsumer consumer;

    @BeforeAll
    void start() {
        StreamLimits small = new StreamLimits(64, 64 * 1024, Duration.ofMillis(500));
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c.withStreams(small))
                .balancerSettings(b -> b.withLeaseInterval(Duration.ofMillis(500))).start(0, 3);
        consumer = new TopHatConsumer(ConsumerConfig.of(cluster.balancerUri()));
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    /** What a listener got, in order. */
    private static final class Recorder implements StreamListener {
        final List<StreamedHeartbeat> got = new CopyOnWriteArrayList<>();
        final List<String> disconnects = new CopyOnWriteArrayList<>();
        final List<URI> connects = new CopyOnWriteArrayList<>();
        final AtomicReference<TopHatException> failure = new AtomicReference<>();
        /** What the stream said of its completeness, in order: "incomplete [a, b]" or "complete". */
        final List<String> completeness = new CopyOnWriteArrayList<>();
        /** While set, the listener stops at its first heartbeat until the test counts it down. */
        volatile java.util.concurrent.CountDownLatch hold;

        @Override
        public void heartbeat(StreamedHeartbeat event) {
            got.add(event);
            java.util.concurrent.CountDownLatch h = hold;
            if (h != null) {
                try {
                    h.await(20, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void connected(URI uri) {
            connects.add(uri);
        }

        @Override
        public void incomplete(List<String> missing, String detail) {
            completeness.add("incomplete " + missing);
        }

        @Override
        public void complete() {
            completeness.add("complete");
        }

        @Override
        public void disconnected(TopHatException cause, Duration retryIn) {
            disconnects.add(cause.getMessage());
        }

        @Override
        public void failed(TopHatException cause) {
            failure.set(cause);
        }

        Map<String, List<Long>> seqs() {
            Map<String, List<Long>> seqs = new ConcurrentHashMap<>();
            for (StreamedHeartbeat e : got) {
                seqs.computeIfAbsent(e.heartbeat().producer(), p -> Collections.synchronizedList(new ArrayList<>()))
                        .add(e.heartbeat().seq());
            }
            return seqs;
        }
    }

    private String register(String id) {
        return Http.get(cluster.balancerUri() + "/register/" + id).body().strip();
    }

    private static void send(String worker, String id, long seq, double lat, double lon) {
        HttpResponse<String> r = Http.postJson(worker + "/api/v1/heartbeats", "{\"id\":\"" + id + "\",\"seq\":" + seq
                + ",\"location\":{\"lat\":" + lat + ",\"lon\":" + lon + "},\"data\":{\"n\":" + seq + "}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static void sendBatch(String worker, String id, long fromSeq, int count) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < count; i++) {
            body.append(i == 0 ? "" : ",").append("{\"seq\":").append(fromSeq + i)
                    .append(",\"location\":{\"lat\":1,\"lon\":2},\"data\":{\"pad\":\"").append("x".repeat(2000)).append("\"}}");
        }
        HttpResponse<String> r = Http.postJson(worker + "/api/v1/producers/" + id + "/heartbeats", body.append("]").toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private static List<Long> range(long from, long to) {
        List<Long> all = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            all.add(s);
        }
        return all;
    }

    @Test
    void a_watch_whose_connection_is_cut_twice_resumes_and_delivers_each_heartbeat_once_in_order() throws Exception {
        List<String> ids = List.of("cw1", "cw2", "cw3");
        Map<String, String> workers = new ConcurrentHashMap<>();
        ids.forEach(id -> workers.put(id, register(id)));
        try (ConnectionCutter cutter = ConnectionCutter.start(cluster.vertx(), cluster.balancerUri().getPort())) {
            TopHatConsumer throughCutter = new TopHatConsumer(ConsumerConfig.of(URI.create("http://127.0.0.1:" + cutter.port())));
            Recorder recorder = new Recorder();
            try (Watch watch = throughCutter.watch(ids, null, recorder)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> watch.token() != null
                        && StreamThroughBalancerTest.storesIn(watch.token()) == 3);
                long seq = 0;
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < 10; i++) {
                        seq++;
                        for (String id : ids) {
                            send(workers.get(id), id, seq, 1, 2);
                        }
                    }
                    if (round < 2) {
                        long s = seq;
                        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.got.size() >= 3 * s);
                        cutter.cutAll();
                        seq++;
                        for (String id : ids) { // stored while the watch is away: replayed on its resume
                            send(workers.get(id), id, seq, 1, 2);
                        }
                    }
                }
                long total = seq;
                await().atMost(Duration.ofSeconds(20)).until(() -> recorder.got.size() >= 3 * total);
                Thread.sleep(300);
                for (String id : ids) {
                    assertThat(recorder.seqs().get(id)).as(id).containsExactlyElementsOf(range(1, total));
                }
                assertThat(recorder.got).hasSize((int) (3 * total));
                assertThat(recorder.disconnects).hasSizeGreaterThanOrEqualTo(2);
                assertThat(cutter.accepted()).isGreaterThanOrEqualTo(3);
                assertThat(recorder.connects).hasSizeGreaterThanOrEqualTo(3);
                assertThat(watch.token()).isEqualTo(recorder.got.get(recorder.got.size() - 1).token());
            }
        }
    }

    @Test
    void a_watch_that_falls_behind_is_told_it_lagged_and_resumes_from_history_with_nothing_lost() throws Exception {
        String worker = register("lagging");
        Recorder recorder = new Recorder();
        recorder.hold = new java.util.concurrent.CountDownLatch(1); // the first heartbeat holds the listener
        // straight at the worker, whose stream buffer here is 64 events: the slow listener overflows it
        TopHatConsumer atWorker = new TopHatConsumer(ConsumerConfig.of(URI.create(worker)));
        try (Watch watch = atWorker.watch("lagging", null, recorder)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> watch.token() != null);
            for (int b = 0; b < 8; b++) {
                sendBatch(worker, "lagging", 1 + b * 500L, 500);
            }
            java.util.concurrent.CountDownLatch held = recorder.hold;
            recorder.hold = null;
            held.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> recorder.got.size() >= 4000);
            Thread.sleep(300);
            assertThat(recorder.seqs().get("lagging")).containsExactlyElementsOf(range(1, 4000));
            assertThat(recorder.disconnects).anySatisfy(d -> assertThat(d).contains("lagged"));
            assertThat(recorder.failure.get()).isNull();
        }
    }

    @Test
    void a_watch_from_every_producer_starts_where_another_left_off() throws Exception {
        String worker = register("all1");
        Recorder first = new Recorder();
        String token;
        try (Watch watch = consumer.watchAll(null, first)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> watch.token() != null
                    && StreamThroughBalancerTest.storesIn(watch.token()) == 3);
            send(worker, "all1", 1, 1, 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> first.got.stream().anyMatch(e -> e.heartbeat().producer().equals("all1")));
            token = watch.token();
        }
        send(worker, "all1", 2, 1, 2);
        send(worker, "all1", 3, 1, 2);
        Recorder second = new Recorder();
        try (Watch watch = consumer.watchAll(token, second)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> second.seqs().getOrDefault("all1", List.of()).size() >= 2);
            Thread.sleep(200);
            assertThat(second.seqs().get("all1")).containsExactly(2L, 3L);
        }
    }

    @Test
    void a_store_without_a_live_worker_makes_the_streams_that_may_need_it_say_incomplete_until_it_is_gone()
            throws Exception {
        // a worker that registers a store and dies at once: its lease runs out, nobody can read its store
        int port = io.tophat.testing.JarProcess.freePort();
        String id = "127.0.0.1:" + port;
        HttpResponse<String> joined = Http.postJson(cluster.balancerUri() + "/api/v1/workers", "{\"url\":\"http://" + id
                + "\",\"store\":\"gone-store\",\"store_proof\":\"gone-proof\",\"commit_key\":0}");
        assertThat(joined.statusCode()).as(joined.body()).isEqualTo(200);
        assertThat(Http.postJson(cluster.balancerUri() + "/api/v1/workers/" + id + "/drain", "").statusCode())
                .isEqualTo(200); // so that no producer is given to it
        String elsewhere = register("complete-one");
        Recorder all = new Recorder();
        String wsUri = cluster.balancerUri().toString().replace("http://", "ws://") + "/api/v1/ws";
        java.util.concurrent.BlockingQueue<String> wsFrames = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(wsUri), new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket socket,
                                                                          CharSequence data, boolean last) {
                        if (!data.toString().contains("\"position\"")) {
                            wsFrames.add(data.toString());
                        }
                        socket.request(1);
                        return null;
                    }
                }).get(10, java.util.concurrent.TimeUnit.SECONDS);
        try (Watch watch = consumer.watchAll(null, all);
             io.tophat.testing.SseSubscriber one = io.tophat.testing.SseSubscriber.open(cluster.balancerUri()
                     + "/api/v1/producers/complete-one/stream")) {
            await().atMost(Duration.ofSeconds(15)).until(() -> !all.completeness.isEmpty());
            assertThat(all.completeness).containsExactly("incomplete [" + id + "]");
            String frame = wsFrames.poll(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(frame).startsWith("{\"event\":\"incomplete\",\"data\":{\"missing\":[\"" + id + "\"],\"detail\":\"");
            send(elsewhere, "complete-one", 1, 1, 2); // the stream of a producer the lost store never held goes on
            one.awaitEvents("heartbeat", 1, 10);
            assertThat(one.frames()).noneMatch(f -> "incomplete".equals(f.event()));
            await().atMost(Duration.ofSeconds(10)).until(() -> all.seqs().containsKey("complete-one"));

            // the operator removes the worker for good: nothing is waited for any more
            assertThat(Http.send("DELETE", cluster.balancerUri() + "/api/v1/workers/" + id, null).statusCode())
                    .isEqualTo(204);
            await().atMost(Duration.ofSeconds(10)).until(() -> all.completeness.size() == 2);
            assertThat(all.completeness).containsExactly("incomplete [" + id + "]", "complete");
            assertThat(wsFrames.poll(10, java.util.concurrent.TimeUnit.SECONDS))
                    .startsWith("{\"event\":\"heartbeat\"");
            assertThat(wsFrames.poll(10, java.util.concurrent.TimeUnit.SECONDS))
                    .isEqualTo("{\"event\":\"complete\",\"data\":{\"missing\":[],\"detail\":\"every store is followed"
                            + " again and has given what it held\"}}");
        } finally {
            ws.abort();
        }
    }

    @Test
    void a_refused_watch_ends_with_the_servers_reason() throws Exception {
        Recorder recorder = new Recorder();
        Watch watch = consumer.watch("x", "not-a-token", recorder);
        assertThat(watch.awaitEnd(Duration.ofSeconds(10))).isTrue();
        assertThat(watch.isOpen()).isFalse();
        assertThat(recorder.failure.get()).isInstanceOf(ServerStatusException.class);
        assertThat(((ServerStatusException) recorder.failure.get()).status()).isEqualTo(400);
        assertThat(recorder.failure.get().getMessage()).contains("invalid resume token");
    }

    @Test
    void near_and_areas_through_the_library_answer_what_the_servers_hold() throws Exception {
        String a = register("geo-a");
        String b = register("geo-b");
        send(a, "geo-a", 1, 56.3400, -2.7960);
        send(b, "geo-b", 1, 56.3500, -2.7960);
        NearAnswer near = consumer.near(56.3400, -2.7960, 2000, 10, null);
        assertThat(near.complete()).isTrue();
        assertThat(near.items()).extracting(n -> n.producer()).containsExactly("geo-a", "geo-b");
        assertThat(near.items().get(1).distanceM()).isBetween(1100.0, 1125.0);
        assertThat(near.items().get(0).worker()).isEqualTo(URI.create(a));

        Area harbour = Area.circle("harbour", 56.3400, -2.7960, 150);
        assertThat(consumer.addArea(harbour)).isTrue();
        assertThat(consumer.addArea(harbour)).isFalse();
        String square = "{\"type\":\"Polygon\",\"coordinates\":[[[-2.80,56.345],[-2.79,56.345],[-2.79,56.355],[-2.80,56.355],[-2.80,56.345]]]}";
        assertThat(consumer.addArea(Area.polygon("square", square))).isTrue();
        assertThat(consumer.areas()).extracting(Area::name).contains("harbour", "square");
        ServerStatusException taken = org.assertj.core.api.Assertions.catchThrowableOfType(
                () -> consumer.addArea(Area.circle("harbour", 0, 0, 10)), ServerStatusException.class);
        assertThat(taken.status()).isEqualTo(409);

        AreaOccupancy inside = consumer.area("harbour", 100).orElseThrow();
        assertThat(inside.inside()).extracting(AreaOccupancy.Occupant::producer).containsExactly("geo-a");
        assertThat(consumer.area("square", 100).orElseThrow().inside())
                .extracting(AreaOccupancy.Occupant::producer).containsExactly("geo-b");
        assertThat(consumer.area("nowhere", 10)).isEmpty();

        List<AreaEvent> events = new CopyOnWriteArrayList<>();
        AtomicReference<TopHatException> ended = new AtomicReference<>();
        List<URI> connected = new CopyOnWriteArrayList<>();
        Watch watch = consumer.areaEvents("harbour", new AreaListener() {
            @Override
            public void event(AreaEvent event) {
                events.add(event);
            }

            @Override
            public void connected(URI uri) {
                connected.add(uri);
            }

            @Override
            public void failed(TopHatException cause) {
                ended.set(cause);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> !connected.isEmpty());
        Thread.sleep(300);
        send(a, "geo-a", 2, 56.3500, -2.7960);
        send(a, "geo-a", 3, 56.3401, -2.7961);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 2);
        assertThat(events).extracting(AreaEvent::kind).containsExactly(AreaEvent.Kind.LEAVE, AreaEvent.Kind.ENTER);
        assertThat(events).extracting(e -> e.heartbeat().seq()).containsExactly(2L, 3L);
        assertThat(events.get(1).heartbeat().location().lat()).isEqualTo(56.3401);

        assertThat(consumer.removeArea("harbour")).isTrue();
        assertThat(consumer.removeArea("harbour")).isFalse();
        assertThat(watch.awaitEnd(Duration.ofSeconds(20))).as("the watch of a removed area ends").isTrue();
        assertThat(ended.get()).isInstanceOf(ServerStatusException.class);
        assertThat(((ServerStatusException) ended.get()).status()).isEqualTo(404);
    }
}
