package io.tophat.history;

import io.tophat.client.ConsumerConfig;
import io.tophat.client.FlushResult;
import io.tophat.client.HistoryQuery;
import io.tophat.client.ProducerConfig;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.TopHatHttpClients;
import io.tophat.client.TopHatProducer;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A phone that recorded offline uploads its readings through the batch endpoint with the client library: all of
 * them stored once, in the order of their own times; a reading the worker refuses is rejected alone.
 */
@Timeout(120)
class ProducerBatchTest {
    @TempDir
    Path dir;

    private EmbeddedCluster cluster;

    @BeforeEach
    void start() {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 1);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void readings_recorded_offline_go_up_in_batches_and_land_in_their_time_order() throws Exception {
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        TopHatProducer phone = new TopHatProducer(ProducerConfig.of("offline-phone", cluster.balancerUri()),
                TopHatHttpClients.create(Duration.ofSeconds(2)), (producer, seq) -> acked.add(seq));
        long start = System.currentTimeMillis() - 3_600_000;
        List<TopHatProducer.Reading> readings = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            // recorded over the last hour, handed over newest first: the history must put them back in order
            readings.add(new TopHatProducer.Reading(Location.of(56.34, -2.79 + i * 1e-5), "{\"i\":" + (2499 - i) + "}",
                    start + (2499 - i) * 1000L));
        }
        assertThat(phone.sendBatch(readings)).isEqualTo(FlushResult.DELIVERED);
        assertThat(acked).hasSize(2500);
        assertThat(phone.stats().acknowledged()).isEqualTo(2500);

        TopHatConsumer consumer = new TopHatConsumer(ConsumerConfig.of(cluster.balancerUri()));
        List<Heartbeat> history = consumer.history("offline-phone", HistoryQuery.all()).toList();
        assertThat(history).hasSize(2500);
        for (int i = 0; i < history.size(); i++) {
            assertThat(history.get(i).data()).isEqualTo("{\"i\":" + i + "}");
        }
        assertThat(cluster.worker(0).store().historySize()).isEqualTo(2500);
        assertThat(consumer.latest("offline-phone")).map(Heartbeat::data).as("the latest is the newest reading, "
                + "though it was sent first").hasValue("{\"i\":2499}");
    }

    @Test
    void a_reading_the_worker_refuses_is_rejected_alone_and_the_others_are_stored() throws Exception {
        TopHatProducer phone = new TopHatProducer(ProducerConfig.of("clock-skewed", cluster.balancerUri()));
        long now = System.currentTimeMillis();
        List<TopHatProducer.Reading> readings = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long time = i == 7 ? now + Duration.ofHours(2).toMillis() : now - (20 - i) * 1000L;
            readings.add(new TopHatProducer.Reading(Location.of(1, 1), "{\"i\":" + i + "}", time));
        }
        assertThat(phone.sendBatch(readings)).isEqualTo(FlushResult.DELIVERED);
        assertThat(phone.stats().rejected()).as("the reading two hours ahead of the worker's clock").isEqualTo(1);
        assertThat(phone.stats().acknowledged()).isEqualTo(19);
        assertThat(cluster.worker(0).store().history("clock-skewed", 0, Long.MAX_VALUE, 100)).hasSize(19);
    }
}
