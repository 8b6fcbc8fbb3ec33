package io.tophat.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.client.ConsumerConfig;
import io.tophat.client.TopHatConsumer;
import io.tophat.protocol.Heartbeat;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two balancers and three workers as processes on five hosts of their own (network namespaces with their own
 * addresses; workers listen on 0.0.0.0 and advertise their address), sharing the machine's PostgreSQL, with
 * producers and consumers in the root namespace: producers register at either balancer and are served by the other; a worker SIGKILLed leaves its producers' data readable at once and
 * they move on; a balancer SIGKILLed leaves consumers served by the other; nothing acknowledged is lost.
 * Figures on lines starting with {@code [several-hosts]}.
 */
@Timeout(180)
class SeveralHostsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PRODUCERS = 12;

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
                URI b0 = URI.create("http://" + hosts.address(0) + ":5000");
                URI b1 = URI.create("http://" + hosts.address(1) + ":5000");
                for (URI b : List.of(b0, b1)) {
                    JsonNode cluster = JSON.readTree(Http.get(b + "/api/v1/cluster").body());
                    Set<String> stores = new HashSet<>();
                    cluster.path("workers").forEach(w -> stores.add(w.path("store").asText()));
                    assertThat(cluster.path("workers")).as("workers known at " + b).hasSize(3);
                    assertThat(stores).as("one store at " + b).hasSize(1);
                }

                // half the producers register at each balancer; consumers read through the other
                ProducerLoad load = ProducerLoad.start(b0, "nh", PRODUCERS / 2, Duration.ofMillis(100));
                ProducerLoad other = ProducerLoad.start(b1, "nj", PRODUCERS / 2, Duration.ofMillis(100));
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

                    // a worker dies: its producers' data is readable at once, and they move on
                    String victimUrl = load.phone("nh0").ackWorker;
                    int victim = 2;
                    for (int w = 2; w < 5; w++) {
                        if (victimUrl.contains(hosts.address(w))) {
                            victim = w;
                        }
                    }
                    processes.get(victim).kill();
                    long killed = System.nanoTime();
                    TopHatConsumer consumer = new TopHatConsumer(ConsumerConfig.of(List.of(b1, b0)));
                    // served by another worker of the store as soon as the balancer has the victim for dead
                    Optional<Heartbeat> latest = Optional.empty();
                    while (latest.isEmpty() && System.nanoTime() - killed < 10_000_000_000L) {
                        try {
                            latest = consumer.latest("nh0");
                        } catch (io.tophat.client.TopHatException e) {
                            Thread.sleep(50); // redirected to the dead worker until its lease runs out
                        }
                    }
                    long readMs = (System.nanoTime() - killed) / 1_000_000;
                    assertThat(latest).as("nh0's latest right after its worker died").isPresent();
                    load.awaitAllAcknowledgedAfter(killed, Duration.ofSeconds(20));
                    other.awaitAllAcknowledgedAfter(killed, Duration.ofSeconds(20));
                    long movedMs = (System.nanoTime() - killed) / 1_000_000;

                    // a balancer dies: consumers carry on through the other
                    processes.get(0).kill();
                    Thread.sleep(500);
                    load.stop();
                    other.stop();
                    Map<String, Set<Long>> acknowledged = new java.util.HashMap<>(load.acknowledged());
                    acknowledged.putAll(other.acknowledged());
                    long expected = acknowledged.values().stream().mapToLong(Set::size).sum();
                    long missing = 0;
                    for (String id : acknowledged.keySet()) {
                        Set<Long> stored = new HashSet<>();
                        consumer.history(id, io.tophat.client.HistoryQuery.between(java.time.Instant.EPOCH,
                                java.time.Instant.now().plusSeconds(60))).forEach(h -> stored.add(h.seq()));
                        for (Long seq : acknowledged.get(id)) {
                            if (!stored.contains(seq)) {
                                missing++;
                            }
                        }
                    }
                    System.out.println("[several-hosts] 2 balancers and 3 workers in 5 network namespaces, one "
                            + "PostgreSQL: " + PRODUCERS + " producers registered half at each balancer (workers "
                            + "on 0.0.0.0 with --advertise-host), each served by the other; a worker SIGKILLed: nh0's latest read through the other balancer "
                            + readMs + " ms after the kill (3 leases of 500 ms to be found dead), every producer acknowledged again " + movedMs + " ms after the kill; the first "
                            + "balancer SIGKILLed; " + expected + " acknowledged heartbeats, " + missing
                            + " missing from the history read through the surviving balancer");
                    assertThat(missing).as("acknowledged heartbeats missing").isZero();
                } finally {
                    load.stop();
                    other.stop();
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
}
