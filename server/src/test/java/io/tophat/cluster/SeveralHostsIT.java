package io.tophat.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.client.ConsumerConfig;
import io.tophat.client.TopHatConsumer;
import io.tophat.testing.ConnectionCutter;
import io.tophat.testing.Http;
import io.tophat.testing.JarProcess;
import io.tophat.testing.NetworkNamespaces;
import io.tophat.testing.PgTestDatabase;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two balancers and three workers as processes on five hosts of their own (network namespaces with their own
 * addresses; workers listen on 0.0.0.0 and advertise their address), sharing the machine's PostgreSQL, with
 * producers and consumers in the root namespace: producers register at either balancer and are served by the
 * other. A worker SIGKILLed: every one of its producers' history, all that was acknowledged, is read through the
 * other balancer within 2 s, and they move on. A balancer SIGKILLed: the producers keep sending for 2 s, new ones
 * register at the surviving balancer, and every heartbeat acknowledged before and after is in the history read
 * through it. Figures on lines starting with {@code [several-hosts]}.
 */
@Timeout(180)
class SeveralHostsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PRODUCERS = 12;
    /**
     * How soon a killed worker's producers' history must be read through the other balancer. A balancer stops
     * sending readers to a worker once its producers, which send every 100 ms, have re-registered elsewhere (a few
     * hundred ms), and at the latest once its lease runs out: 3 renewals of 500 ms missed, checked every 250 ms,
     * 1.75 s after the kill. The rest is for the reads themselves on this shared 2-core machine.
     */
    private static final long HISTORY_BOUND_MS = 2000;

    @Test
    void two_balancers_and_three_workers_on_five_hosts_share_one_database_through_kills(TestInfo test) throws Exception {
        PgTestDatabase.Server pg = PgTestDatabase.server();
        Path dir = ProcessCluster.freshFolder("several-hosts-it", test);
        Vertx vertx = Vertx.vertx();
        List<JarProcess> processes = new ArrayList<>();
        String schema = PgTestDatabase.schema("several-hosts-" + dir);
        try (NetworkNamespaces hosts = NetworkNamespaces.create(5)) {
            ConnectionCutter database = ConnectionCutter.listening(vertx, hosts.bridgeAddress(), pg.host(), pg.port());
            String store = PgTestDatabase.urlWithSchemaAt(schema, hosts.bridgeAddress(), database.port());
            String balancers = hosts.address(0) + ":5000," + hosts.address(1) + ":5000";
            try {
                long starting = System.nanoTime();
                for (int b = 0; b < 2; b++) {
                    processes.add(JarProcess.startIn(hosts.namespace(b), dir, "balancer-" + b, List.of("balancer",
                            "--host", hosts.address(b), "--port", "5000", "--lease-interval", "500ms",
                            "--data-dir", dir.resolve("balancer-" + b).toString(), "--store", store)));
                }
                for (JarProcess p : processes) {
                    p.awaitOutput("TopHat balancer on", Duration.ofSeconds(60));
                }
                for (int w = 2; w < 5; w++) {
                    processes.add(JarProcess.startIn(hosts.namespace(w), dir, "worker-" + w, List.of("worker",
                            "--host", "0.0.0.0", "--advertise-host", hosts.address(w), "--port", "6000",
                            "--balancer", balancers,
                            "--drain-timeout", "2s", "--data-dir", dir.resolve("worker-" + w).toString(),
                            "--store", store)));
                }
                for (JarProcess p : processes.subList(2, 5)) {
                    p.awaitOutput("TopHat worker on port", Duration.ofSeconds(60));
                }
                long startMs = (System.nanoTime() - starting) / 1_000_000;
                URI b0 = URI.create("http://" + hosts.address(0) + ":5000");
                URI b1 = URI.create("http://" + hosts.address(1) + ":5000");
                for (URI b : List.of(b0, b1)) {
                    JsonNode cluster = JSON.readTree(Http.get(b + "/api/v1/cluster").body());
                    Set<String> stores = new HashSet<>();
                    cluster.path("workers").forEach(w -> stores.add(w.path("store").asText()));
                    assertThat(cluster.path("workers")).as("workers known at " + b).hasSize(3);
                    assertThat(stores).as("one store at " + b).hasSize(1);
                }

                // half the producers register at each balancer (the other one second in their list); consumers
                // read through the other
                ProducerLoad load = ProducerLoad.start(List.of(b0, b1), "nh", PRODUCERS / 2, Duration.ofMillis(100));
                ProducerLoad other = ProducerLoad.start(List.of(b1, b0), "nj", PRODUCERS / 2, Duration.ofMillis(100));
                ProducerLoad late = null;
                try {
                    load.awaitAllAcknowledgedAfter(Long.MIN_VALUE, Duration.ofSeconds(30));
                    other.awaitAllAcknowledgedAfter(Long.MIN_VALUE, Duration.ofSeconds(30));
                    for (ProducerLoad l : List.of(load, other)) {
                        URI reader = l == load ? b1 : b0;
                        for (Map.Entry<String, String> e : l.ackWorkers().entrySet()) {
                            HttpResponse<String> r = Http.get(reader + "/get_data/" + e.getKey());
                            assertThat(r.statusCode()).as(e.getKey() + " at the other balancer").isEqualTo(302);
                            assertThat(r.headers().firstValue("Location").orElseThrow()).startsWith(e.getValue());
                        }
                    }

                    // a worker dies: its producers' whole history is read through the other balancer at once
                    String victimUrl = load.phone("nh0").ackWorker;
                    int victim = 2;
                    for (int w = 2; w < 5; w++) {
                        if (victimUrl.contains(hosts.address(w))) {
                            victim = w;
                        }
                    }
                    Map<String, Set<Long>> before = new HashMap<>(load.acknowledged());
                    before.putAll(other.acknowledged());
                    List<String> orphans = new ArrayList<>(load.ackedBy(victimUrl).stream().map(p -> p.id).toList());
                    orphans.addAll(other.ackedBy(victimUrl).stream().map(p -> p.id).toList());
                    processes.get(victim).kill();
                    long killed = System.nanoTime();
                    TopHatConsumer throughB1 = new TopHatConsumer(ConsumerConfig.of(b1));
                    TopHatConsumer throughB0 = new TopHatConsumer(ConsumerConfig.of(b0));
                    Set<String> unread = new HashSet<>(orphans);
                    while (!unread.isEmpty() && System.nanoTime() - killed < 10_000_000_000L) {
                        for (String id : List.copyOf(unread)) {
                            try {
                                Set<Long> stored = seqs(id.startsWith("nh") ? throughB1 : throughB0, id);
                                if (stored.containsAll(before.get(id))) {
                                    unread.remove(id);
                                }
                            } catch (io.tophat.client.TopHatException e) {
                                // sent to the dead worker, until its producers re-register or its lease runs out
                            }
                        }
                        if (!unread.isEmpty()) {
                            Thread.sleep(20);
                        }
                    }
                    long historyMs = (System.nanoTime() - killed) / 1_000_000;
                    assertThat(unread).as("producers of the dead worker whose history was not whole within 10 s")
                            .isEmpty();
                    load.awaitAllAcknowledgedAfter(killed, Duration.ofSeconds(20));
                    other.awaitAllAcknowledgedAfter(killed, Duration.ofSeconds(20));
                    long movedMs = (System.nanoTime() - killed) / 1_000_000;

                    // a balancer dies: the producers carry on, new ones register at the surviving balancer
                    processes.get(0).kill();
                    long balancerKilled = System.nanoTime();
                    Map<String, Set<Long>> beforeBalancerKill = new HashMap<>(load.acknowledged());
                    beforeBalancerKill.putAll(other.acknowledged());
                    late = ProducerLoad.start(List.of(b0, b1), "nk", 2, Duration.ofMillis(100));
                    for (ProducerLoad l : List.of(load, other, late)) {
                        l.awaitAllAcknowledgedAfter(balancerKilled, Duration.ofSeconds(20));
                    }
                    Thread.sleep(Math.max(0, 2000 - (System.nanoTime() - balancerKilled) / 1_000_000));
                    for (ProducerLoad l : List.of(load, other, late)) {
                        l.stop();
                    }
                    Map<String, Set<Long>> acknowledged = new HashMap<>(load.acknowledged());
                    acknowledged.putAll(other.acknowledged());
                    acknowledged.putAll(late.acknowledged());
                    long expected = 0;
                    long afterBalancerKill = 0;
                    long missing = 0;
                    for (Map.Entry<String, Set<Long>> e : acknowledged.entrySet()) {
                        Set<Long> stored = seqs(throughB1, e.getKey());
                        Set<Long> earlier = beforeBalancerKill.getOrDefault(e.getKey(), Set.of());
                        for (Long seq : e.getValue()) {
                            expected++;
                            afterBalancerKill += earlier.contains(seq) ? 0 : 1;
                            missing += stored.contains(seq) ? 0 : 1;
                        }
                    }
                    System.out.println("[several-hosts] 2 balancers and 3 workers in 5 network namespaces, one "
                            + "PostgreSQL, started in " + startMs + " ms: " + PRODUCERS + " producers registered "
                            + "half at each balancer (workers on 0.0.0.0 with --advertise-host), each served by the "
                            + "other; a worker SIGKILLed: the whole history of its " + orphans.size() + " producers "
                            + "read through the other balancer " + historyMs + " ms after the kill (bound "
                            + HISTORY_BOUND_MS + " ms), every producer acknowledged again " + movedMs + " ms after "
                            + "it; the first balancer SIGKILLed, the producers kept sending 2 s and 2 new ones "
                            + "registered at the other; " + expected + " acknowledged heartbeats (" + afterBalancerKill
                            + " after the balancer's kill), " + missing + " missing from the history read through the "
                            + "surviving balancer");
                    assertThat(orphans).as("producers of the killed worker").isNotEmpty();
                    assertThat(historyMs).as("ms until the dead worker's producers' history is whole through the "
                            + "other balancer").isLessThanOrEqualTo(HISTORY_BOUND_MS);
                    assertThat(late.acknowledged()).as("producers registered after the balancer's kill").hasSize(2);
                    assertThat(missing).as("acknowledged heartbeats missing").isZero();
                } finally {
                    load.stop();
                    other.stop();
                    if (late != null) {
                        late.stop();
                    }
                }
            } catch (Throwable t) {
                for (JarProcess p : processes) {
                    System.out.println("---- " + p.name() + "\n" + p.output());
                }
                throw t;
            } finally {
                for (JarProcess p : processes) {
                    p.close();
                }
                database.close();
            }
        } finally {
            vertx.close();
            try {
                PgTestDatabase.drop(schema);
            } catch (RuntimeException e) {
                // skipped before the schema existed
            }
        }
    }

    /** The seqs of the producer's whole history, read through the consumer's balancer. */
    private static Set<Long> seqs(TopHatConsumer consumer, String id) {
        Set<Long> stored = new HashSet<>();
        consumer.history(id, io.tophat.client.HistoryQuery.between(java.time.Instant.EPOCH,
                java.time.Instant.now().plusSeconds(60))).forEach(h -> stored.add(h.seq()));
        return stored;
    }
}
