package io.tophat.scenario;

import io.tophat.client.ConsumerConfig;
import io.tophat.client.DataReply;
import io.tophat.client.ProducerConfig;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.TopHatProducer;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.protocol.Location;
import io.tophat.testing.Http;
import io.tophat.worker.AckMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The original project's six test cases, with assertions, against a real in-process cluster. */
@Timeout(180)
class SeedScenariosTest {
    private static final Duration PHONE_INTERVAL = Duration.ofMillis(100);

    @TempDir
    Path dir;

    @Test
    void a_consumer_gets_exactly_what_the_producer_sent_through_the_balancers_redirect() throws Exception {
        try (EmbeddedCluster cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 1);
             TopHatProducer producer = new TopHatProducer(ProducerConfig.of("356938035643809", cluster.balancerUri()))) {
            String data = "{\"battery\":87,\"readings\":[1.5,2.25],\"note\":\"caf\u00e9 \\\"quoted\\\"\"}";
            producer.send(new Location(56.3398, -2.7967, null, 5.0, 1.4, 90.0, null), data);

            HttpResponse<String> redirect = Http.get(cluster.balancerUri() + "/get_data/356938035643809");
            assertThat(redirect.statusCode()).isEqualTo(302);
            assertThat(redirect.headers().firstValue("location"))
                    .hasValue(producer.worker().orElseThrow() + "/get_data/356938035643809");

            DataReply reply = new TopHatConsumer(ConsumerConfig.of(cluster.balancerUri())).latestData("356938035643809");
            assertThat(reply).isInstanceOfSatisfying(DataReply.Data.class, d -> {
                assertThat(d.json()).isEqualTo(data);
                assertThat(d.worker().getAuthority()).isEqualTo(producer.worker().orElseThrow().getAuthority());
            });
        }
    }

    @Test
    void a_consumer_still_gets_the_last_data_of_a_producer_that_went_offline_also_after_its_worker_restarted() throws Exception {
        try (EmbeddedCluster cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 1)) {
            try (TopHatProducer producer = new TopHatProducer(ProducerConfig.of("3000", cluster.balancerUri()))) {
                producer.send(Location.of(56.34, -2.79), "{\"n\":1}");
                producer.send(Location.of(56.35, -2.79), "{\"n\":2}");
            }
            TopHatConsumer consumer = new TopHatConsumer(ConsumerConfig.of(cluster.balancerUri()));
            assertThat(consumer.latestData("3000")).isInstanceOfSatisfying(DataReply.Data.class,
                    d -> assertThat(d.json()).isEqualTo("{\"n\":2}"));

            int port = cluster.worker(0).port();
            cluster.stopWorker(0);
            cluster.startWorker(0, port);

            assertThat(consumer.latestData("3000")).isInstanceOfSatisfying(DataReply.Data.class,
                    d -> assertThat(d.json()).isEqualTo("{\"n\":2}"));
            assertThat(consumer.latest("3000")).hasValueSatisfying(hb -> {
                assertThat(hb.location()).isEqualTo(Location.of(56.35, -2.79));
                assertThat(hb.ipAddress()).isEqualTo("127.0.0.1");
            });
        }
    }

    @Test
    void a_consumer_asking_for_a_producer_that_does_not_exist_gets400_on_the_seed_path_and404_on_api_v1() {
        try (EmbeddedCluster cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 1)) {
            HttpResponse<String> seed = Http.get(cluster.balancerUri() + "/get_data/4242");
            assertThat(seed.statusCode()).isEqualTo(400);
            assertThat(seed.body()).contains("Producer does not exist");
            HttpResponse<String> v1 = Http.get(cluster.balancerUri() + "/api/v1/producers/4242");
            assertThat(v1.statusCode()).isEqualTo(404);
            assertThat(v1.body()).contains("\"error\":\"unknown producer\"");
        }
    }

    @Test
    void fifteen_producers_with_a_cache_of_ten_are_all_served_and_every_heartbeat_is_in_the_sqlite_file() throws Exception {
        for (AckMode mode : AckMode.values()) {
            Path folder = dir.resolve(mode.name());
            try (EmbeddedCluster cluster = new EmbeddedCluster(folder, "127.0.0.1",
                    c -> c.withIngest(i -> i.withCacheSize(10).withAck(mode, Duration.ofMillis(300)))).start(0, 1)) {
                for (int id = 3000; id < 3015; id++) {
                    try (TopHatProducer producer = new TopHatProducer(ProducerConfig.of("" + id, cluster.balancerUri()))) {
                        for (int n = 1; n <= 3; n++) {
                            producer.send(Location.of(56.34, -2.79), "{\"id\":" + id + ",\"n\":" + n + "}");
                        }
                    }
                }
                TopHatConsumer consumer = new TopHatConsumer(ConsumerConfig.of(cluster.balancerUri()));
                for (int id = 3000; id < 3015; id++) {
                    int producer = id;
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                            assertThat(consumer.latestData("" + producer)).as(mode + " " + producer)
                                    .isInstanceOfSatisfying(DataReply.Data.class,
                                            d -> assertThat(d.json()).isEqualTo("{\"id\":" + producer + ",\"n\":3}")));
                }
                Path file = folder.resolve("worker-1").resolve("heartbeats.db");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    for (int id = 3000; id < 3015; id++) {
                        assertThat(storedData(file, "" + id)).as(mode + " " + id)
                                .containsExactly("{\"id\":" + id + ",\"n\":1}", "{\"id\":" + id + ",\"n\":2}",
                                        "{\"id\":" + id + ",\"n\":3}");
                    }
                });
            }
        }
    }

    @Test
    void when_two_of_three_workers_stop_their_producers_move_to_the_last_one_and_consumers_get_current_data() throws Exception {
        try (EmbeddedCluster cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 3)) {
            List<SimulatedPhone> phones = phones(cluster.balancerUri(), 15);
            try {
                awaitAllAcknowledged(phones);
                String survivor = cluster.worker(2).url();
                stopTwoWorkersAndCheckFailover(cluster, phones, survivor);
            } finally {
                closeAll(phones);
            }
        }
    }

    @Test
    void fifteen_consumers_reading_all_along_the_failover_see_no5xx_and_all_succeed_once_it_is_over() throws Exception {
        try (EmbeddedCluster cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 3)) {
            List<SimulatedPhone> phones = phones(cluster.balancerUri(), 15);
            AtomicBoolean reading = new AtomicBoolean(true);
            Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
            AtomicLong transportFailures = new AtomicLong();
            List<Thread> consumers = new ArrayList<>();
            try {
                awaitAllAcknowledged(phones);
                for (int c = 0; c < 15; c++) {
                    String id = "" + (3000 + c);
                    Thread t = new Thread(() -> {
                        while (reading.get()) {
                            try {
                                HttpResponse<String> r = Http.getFollowing(cluster.balancerUri() + "/get_data/" + id);
                                statuses.computeIfAbsent(r.statusCode(), s -> new AtomicLong()).incrementAndGet();
                                Thread.sleep(20);
                            } catch (InterruptedException e) {
                                return;
                            } catch (RuntimeException e) {
                                transportFailures.incrementAndGet();
                            }
                        }
                    }, "consumer-" + id);
                    t.start();
                    consumers.add(t);
                }
                stopTwoWorkersAndCheckFailover(cluster, phones, cluster.worker(2).url());
                reading.set(false);
                for (Thread t : consumers) {
                    t.join(10_000);
                }
                System.out.println("consumer answers during the failover: " + statuses);
                assertThat(statuses.keySet()).allMatch(s -> s < 500, "no 5xx");
                assertThat(statuses.get(200).get()).isGreaterThan(100);
                assertThat(transportFailures.get()).as("requests that failed without an HTTP answer").isZero();
            } finally {
                reading.set(false);
                closeAll(phones);
            }
            TopHatConsumer consumer = new TopHatConsumer(ConsumerConfig.of(cluster.balancerUri()));
            for (SimulatedPhone phone : phones) {
                assertThat(phone.worker()).isNotNull();
            }
            for (int c = 0; c < 15; c++) {
                assertThat(consumer.latestData("" + (3000 + c))).isInstanceOf(DataReply.Data.class);
            }
        }
    }

    private static void stopTwoWorkersAndCheckFailover(EmbeddedCluster cluster, List<SimulatedPhone> phones,
                                                       String survivor) throws Exception {
        long[] before = phones.stream().mapToLong(SimulatedPhone::lastAcknowledged).toArray();
        cluster.stopWorker(0);
        cluster.stopWorker(1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (SimulatedPhone phone : phones) {
                assertThat(phone.worker()).hasToString(survivor);
            }
        });
        TopHatConsumer consumer = new TopHatConsumer(ConsumerConfig.of(cluster.balancerUri()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int i = 0; i < phones.size(); i++) {
                DataReply reply = consumer.latestData("" + (3000 + i));
                assertThat(reply).isInstanceOf(DataReply.Data.class);
                long n = Long.parseLong(((DataReply.Data) reply).json().replaceAll("\\D", ""));
                assertThat(n).as("producer %d sends on after the stop", 3000 + i).isGreaterThan(before[i]);
                assertThat(((DataReply.Data) reply).worker().getAuthority())
                        .isEqualTo(URI.create(survivor).getAuthority());
            }
        });
    }

    private static List<SimulatedPhone> phones(URI balancer, int count) {
        List<SimulatedPhone> phones = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            phones.add(new SimulatedPhone(balancer, "" + (3000 + i), PHONE_INTERVAL));
        }
        return phones;
    }

    private static void awaitAllAcknowledged(List<SimulatedPhone> phones) {
        await().atMost(Duration.ofSeconds(20)).until(() -> phones.stream().allMatch(p -> p.lastAcknowledged() >= 2));
    }

    private static void closeAll(List<SimulatedPhone> phones) throws InterruptedException {
        for (SimulatedPhone phone : phones) {
            phone.close();
        }
    }

    private static List<String> storedData(Path file, String producer) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             PreparedStatement st = c.prepareStatement(
                     "SELECT data FROM heartbeats WHERE producer = ? ORDER BY received_at, id")) {
            st.setString(1, producer);
            List<String> data = new ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    data.add(rs.getString(1));
                }
            }
            return data;
        }
    }
}
