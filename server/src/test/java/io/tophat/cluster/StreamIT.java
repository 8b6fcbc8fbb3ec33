package io.tophat.cluster;

import io.tophat.client.ConsumerConfig;
import io.tophat.client.StreamListener;
import io.tophat.client.StreamedHeartbeat;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.TopHatException;
import io.tophat.client.Watch;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import io.tophat.store.SqliteHeartbeatStore;
import io.tophat.store.SqliteStoreConfig;
import io.tophat.testing.ConnectionCutter;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A watcher of 20 producers over three worker processes, through the balancer: while one worker is drained and
 * another SIGKILLed (both started again on their data), and after its own connection is cut twice (the client
 * library's {@code watch}, which reconnects and resumes by itself), it has every acknowledged heartbeat exactly
 * once, each producer's in order, except what the killed worker had stored and not streamed when it died: that
 * comes once it is back, while the watcher is told the stream is incomplete naming it, and nowhere else. Figures
 * on lines starting with {@code [stream-it]}.
 */
@Timeout(240)
class StreamIT {
    private static final Duration LEASE = Duration.ofMillis(500);
    private static final int PRODUCERS = 20;
    /** A watched producer whose heartbeats only the killed worker's store holds (written there while it is down). */
    private static final String AWAY = "w-away";
    private static final int AWAY_COUNT = 5;

    /**
     * What the watcher was given, in order: a heartbeat, or what the stream said of its completeness ({@code missing}
     * the workers named, empty for {@code complete}).
     */
    private record Got(Heartbeat heartbeat, List<String> missing) {
    }

    /** The watcher: the client library's {@code watch}, through a relay that cuts its connection on demand. */
    private static final class Watcher implements StreamListener {
        private final List<Got> timeline = new CopyOnWriteArrayList<>();
        private final List<String> disconnects = new CopyOnWriteArrayList<>();
        private final Vertx vertx = Vertx.vertx();
        private final ConnectionCutter cutter;
        private final Watch watch;

        Watcher(URI balancer, List<String> ids) {
            cutter = ConnectionCutter.start(vertx, balancer.getPort());
            watch = new TopHatConsumer(ConsumerConfig.of(URI.create("http://127.0.0.1:" + cutter.port())))
                    .watch(ids, null, this);
        }

        @Override
        public void heartbeat(StreamedHeartbeat event) {
            timeline.add(new Got(event.heartbeat(), null));
        }

        @Override
        public void incomplete(List<String> missing, String detail) {
            timeline.add(new Got(null, missing));
        }

        @Override
        public void complete() {
            timeline.add(new Got(null, List.of()));
        }

        @Override
        public void disconnected(TopHatException cause, Duration retryIn) {
            disconnects.add(cause.getMessage());
        }

        /** Cuts the connection; the watch reconnects and resumes by itself. */
        void cut() {
            cutter.cutAll();
        }

        List<Heartbeat> heartbeats() {
            return timeline.stream().map(Got::heartbeat).filter(java.util.Objects::nonNull).toList();
        }

        /** How many times the stream said it was incomplete naming {@code worker}. */
        long toldMissing(String worker) {
            return timeline.stream().filter(g -> g.missing() != null && g.missing().contains(worker)).count();
        }

        /** True when the last thing the stream said of its completeness was {@code complete}. */
        boolean saidComplete() {
            List<Got> said = timeline.stream().filter(g -> g.missing() != null).toList();
            return !said.isEmpty() && said.get(said.size() - 1).missing().isEmpty();
        }

        void close() {
            watch.close();
            cutter.close();
            vertx.close();
        }
    }

    @Test
    void a_watcher_gets_every_acknowledged_heartbeat_once_in_order_through_drain_kill_and_cuts(TestInfo test)
            throws Exception {
        Path dir = ProcessCluster.freshFolder("stream-it", test);
        try (ProcessCluster cluster = ProcessCluster.start(dir, 3, LEASE, Duration.ofSeconds(5))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < PRODUCERS; i++) {
                ids.add("w" + i);
            }
            List<String> watched = new ArrayList<>(ids);
            watched.add(AWAY);
            Watcher watcher = new Watcher(cluster.balancerUri(), watched);
            await().atMost(Duration.ofSeconds(10)).until(() -> storesIn(watcher.watch.token()) == 3);
            ProducerLoad load = ProducerLoad.start(cluster.balancerUri(), "w", PRODUCERS, Duration.ofMillis(100));
            try {
                load.awaitAllAcknowledgedAfter(Long.MIN_VALUE, Duration.ofSeconds(30));
                Thread.sleep(500);
                watcher.cut();

                int drained = indexOf(cluster, load.phone("w0").ackWorker);
                HttpResponse<String> drain = cluster.balancerRequest("POST", "/api/v1/workers/"
                        + cluster.workerId(drained) + "/drain", null);
                assertThat(drain.statusCode()).as(drain.body()).isEqualTo(200);
                assertThat(cluster.worker(drained).waitFor(Duration.ofSeconds(30))).as("drained worker's exit").isZero();
                load.awaitAllAcknowledgedAfter(System.nanoTime(), Duration.ofSeconds(15));
                Thread.sleep(500);

                int killed = indexOf(cluster, load.phone("w0").ackWorker);
                assertThat(killed).isNotEqualTo(drained);
                String killedId = cluster.workerId(killed);
                cluster.worker(killed).kill();
                load.awaitAllAcknowledgedAfter(System.nanoTime(), Duration.ofSeconds(15));
                // a heartbeat another worker stored and streamed; its copy goes into the killed worker's store below,
                // as a retry would after a fail-over (stored there, its answer lost), to come once only
                long copiedSeq = load.phone("w0").lastAckedSeq;
                await().atMost(Duration.ofSeconds(10)).until(() -> watcher.heartbeats().stream()
                        .anyMatch(hb -> hb.producer().equals("w0") && hb.seq() == copiedSeq));
                Heartbeat copied = watcher.heartbeats().stream()
                        .filter(hb -> hb.producer().equals("w0") && hb.seq() == copiedSeq).findFirst().orElseThrow();
                await().atMost(Duration.ofSeconds(10)).until(() -> watcher.toldMissing(killedId) > 0);
                long told = watcher.toldMissing(killedId);
                watcher.cut(); // the resumed stream says at once that the killed worker's store is missing
                await().atMost(Duration.ofSeconds(10)).until(() -> watcher.toldMissing(killedId) > told);
                load.stop();

                // heartbeats the killed worker stored and never streamed: a copy of one streamed already, and some
                // of a producer nobody else holds
                try (SqliteHeartbeatStore store = SqliteHeartbeatStore.open(
                        SqliteStoreConfig.defaults(cluster.workerStore(killed)))) {
                    List<Heartbeat> away = new ArrayList<>(List.of(copied));
                    for (long seq = 1; seq <= AWAY_COUNT; seq++) {
                        away.add(new Heartbeat(AWAY, Location.of(56.34, -2.79), "{\"n\":" + seq + "}", "127.0.0.1",
                                System.currentTimeMillis(), null, seq));
                    }
                    store.append(away);
                }
                cluster.relaunchWorkers(drained, killed);
                Map<String, Set<Long>> acknowledged = load.acknowledged();
                acknowledged.put(AWAY, new HashSet<>(range(1, AWAY_COUNT)));
                long expected = acknowledged.values().stream().mapToLong(Set::size).sum();
                await().atMost(Duration.ofSeconds(30)).until(() -> delivered(watcher, acknowledged) == expected
                        && watcher.saidComplete());
                int reconnects = watcher.disconnects.size();
                cluster.killAll();
                StoreAudit killedStore = StoreAudit.read(List.of(cluster.workerStore(killed)), watched);

                Map<String, List<Long>> seqs = new HashMap<>();
                for (Heartbeat hb : watcher.heartbeats()) {
                    seqs.computeIfAbsent(hb.producer(), p -> new ArrayList<>()).add(hb.seq());
                }
                for (String id : watched) {
                    List<Long> got = seqs.getOrDefault(id, List.of());
                    assertThat(got).as(id).doesNotHaveDuplicates();
                    assertThat(new HashSet<>(got)).as(id).containsAll(acknowledged.get(id));
                }
                // every heartbeat in its producer's order, except those that came late: each of them the killed
                // worker stored, and each came while the stream said that worker's store was missing
                List<String> late = new ArrayList<>();
                List<String> lateElsewhere = new ArrayList<>();
                List<String> missing = List.of();
                Map<String, Long> newest = new HashMap<>();
                for (Got g : watcher.timeline) {
                    if (g.missing() != null) {
                        missing = g.missing();
                        continue;
                    }
                    Heartbeat hb = g.heartbeat();
                    boolean inOrder = hb.seq() > newest.getOrDefault(hb.producer(), 0L);
                    newest.merge(hb.producer(), hb.seq(), Math::max);
                    String name = hb.producer() + "#" + hb.seq();
                    if (!inOrder || hb.producer().equals(AWAY)) {
                        late.add(name);
                        boolean storedThere = killedStore.missing(Map.of(hb.producer(), Set.of(hb.seq()))).isEmpty();
                        if (!missing.contains(killedId) || !storedThere) {
                            lateElsewhere.add(name + " (the stream said missing: " + missing + ")");
                        }
                    }
                }
                System.out.println("[stream-it] " + PRODUCERS + " producers, " + (expected - AWAY_COUNT)
                        + " acknowledged heartbeats over 3 workers (one drained, one SIGKILLed, both restarted), the "
                        + "watcher's connection cut twice: every one streamed once; " + (late.size() - AWAY_COUNT)
                        + " came after a later one of their producer, and " + AWAY_COUNT + " of a producer only "
                        + "the killed worker's store holds came, all while the stream said it was incomplete "
                        + "naming that worker (stored by it, streamed once it was back); the watch reconnected "
                        + reconnects + " times");
                assertThat(lateElsewhere).as("heartbeats out of order that the stream had not said were missing")
                        .isEmpty();
                assertThat(late).as("the killed worker's store's rest").contains(AWAY + "#1", AWAY + "#" + AWAY_COUNT);
                assertThat(reconnects).as("the two cuts at least").isGreaterThanOrEqualTo(2);
            } finally {
                load.stop();
                watcher.close();
            }
        }
    }

    private static List<Long> range(long from, long to) {
        List<Long> all = new ArrayList<>();
        for (long n = from; n <= to; n++) {
            all.add(n);
        }
        return all;
    }

    /** How many stores a resume token names a position in (0 for none). */
    private static int storesIn(String token) {
        if (token == null) {
            return 0;
        }
        String decoded = new String(java.util.Base64.getUrlDecoder().decode(token), java.nio.charset.StandardCharsets.UTF_8);
        return (int) decoded.chars().filter(c -> c == '=').count();
    }

    private static long delivered(Watcher watcher, Map<String, Set<Long>> acknowledged) {
        Set<String> got = new HashSet<>();
        for (Heartbeat hb : watcher.heartbeats()) {
            got.add(hb.producer() + "/" + hb.seq());
        }
        long n = 0;
        for (Map.Entry<String, Set<Long>> e : acknowledged.entrySet()) {
            for (Long seq : e.getValue()) {
                if (got.contains(e.getKey() + "/" + seq)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static int indexOf(ProcessCluster cluster, String workerUrl) {
        for (int i = 0; i < cluster.workerCount(); i++) {
            if (cluster.workerUrl(i).equals(workerUrl)) {
                return i;
            }
        }
        throw new AssertionError("no worker at " + workerUrl);
    }
}
