package io.tophat.client;

import io.tophat.protocol.Location;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TopHatProducerTest {
    private static final Location HERE = new Location(56.34, -2.79, null, 5.0, 1.4, 90.0, null);
    private static final String DATA = "{\"battery\":87,\"steps\":1234}";

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    private static ProducerConfig fastConfig(URI... balancers) {
        return ProducerConfig.of("3000", List.of(balancers))
                .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(2))
                .withBackoff(Duration.ofMillis(5), Duration.ofMillis(40));
    }

    private TopHatProducer producer(ProducerConfig config, AckListener listener) {
        return closeLater(new TopHatProducer(config, TopHatHttpClients.create(config.connectTimeout()), listener));
    }

    @Test
    void fails_over_to_a_second_worker_after_the_first_stops_and_names_the_failed_worker() throws Exception {
        FakeWorker first = closeLater(new FakeWorker());
        FakeWorker second = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer(first.uri(), second.uri()));
        TopHatProducer producer = producer(fastConfig(balancer.uri()), AckListener.NONE);

        assertThat(producer.register()).isEqualTo(first.uri());
        for (int i = 0; i < 3; i++) {
            assertThat(producer.send(HERE, DATA).delivery()).isEqualTo(Delivery.ACKNOWLEDGED);
        }
        first.close();
        for (int i = 0; i < 3; i++) {
            assertThat(producer.send(HERE, DATA).delivery()).isEqualTo(Delivery.ACKNOWLEDGED);
        }

        assertThat(first.storedSeqs()).hasSize(3);
        assertThat(second.storedSeqs()).hasSize(3);
        assertThat(second.storedSeqs().get(0)).isEqualTo(first.storedSeqs().get(2) + 1);
        assertThat(producer.worker()).contains(second.uri());
        assertThat(balancer.failedParams()).containsExactly("", first.uri().toString());
        ProducerStats stats = producer.stats();
        assertThat(stats.acknowledged()).isEqualTo(6);
        assertThat(stats.reRegistrations()).isEqualTo(1);
        assertThat(stats.pending()).isZero();
    }

    @Test
    void a_5xx_other_than_503_counts_as_a_failed_worker() throws Exception {
        FakeWorker first = closeLater(new FakeWorker());
        FakeWorker second = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer(first.uri(), second.uri()));
        TopHatProducer producer = producer(fastConfig(balancer.uri()), AckListener.NONE);
        first.answerNext(500, null, "{\"error\":\"internal\",\"detail\":\"disk on fire\"}");

        SendResult result = producer.send(HERE, DATA);

        assertThat(result.delivery()).isEqualTo(Delivery.ACKNOWLEDGED);
        assertThat(second.storedSeqs()).containsExactly(result.seq());
        assertThat(balancer.failedParams()).containsExactly("", first.uri().toString());
    }

    @Test
    void a_409_sends_the_producer_back_to_the_balancer_without_blaming_the_worker() throws Exception {
        FakeWorker first = closeLater(new FakeWorker());
        FakeWorker second = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer(first.uri(), second.uri()));
        TopHatProducer producer = producer(fastConfig(balancer.uri()), AckListener.NONE);
        first.answerNext(409, null, "{\"error\":\"moved\",\"detail\":\"producer 3000 belongs to another worker\"}");

        SendResult result = producer.send(HERE, DATA);

        assertThat(result.delivery()).isEqualTo(Delivery.ACKNOWLEDGED);
        assertThat(second.storedSeqs()).containsExactly(result.seq());
        assertThat(balancer.failedParams()).containsExactly("", "");
    }

    @Test
    void gives_up_after_max_retries_and_keeps_the_heartbeat_buffered() throws Exception {
        FakeBalancer balancer = closeLater(new FakeBalancer());
        TopHatProducer producer = producer(fastConfig(balancer.uri()).withMaxRetries(3), AckListener.NONE);

        SendResult result = producer.send(HERE, DATA);

        assertThat(result.delivery()).isEqualTo(Delivery.BUFFERED);
        assertThat(result.detail()).contains("No workers are online right now");
        assertThat(balancer.registrations()).isEqualTo(1 + 3);
        assertThat(producer.stats().failures()).isEqualTo(4);
        assertThat(producer.stats().pending()).isEqualTo(1);
        assertThatThrownBy(producer::register).isInstanceOf(ServerStatusException.class)
                .satisfies(e -> assertThat(((ServerStatusException) e).status()).isEqualTo(400));
    }

    @Test
    void with_unlimited_retries_waits_until_a_worker_comes_online() throws Exception {
        FakeWorker worker = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer());
        TopHatProducer producer = producer(fastConfig(balancer.uri()).withMaxRetries(ProducerConfig.RETRY_FOREVER), AckListener.NONE);

        CompletableFuture<SendResult> sending = CompletableFuture.supplyAsync(() -> sendQuietly(producer));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> balancer.registrations() >= 5);
        balancer.addWorker(worker.uri());

        assertThat(sending.get(10, TimeUnit.SECONDS).delivery()).isEqualTo(Delivery.ACKNOWLEDGED);
        assertThat(worker.storedSeqs()).hasSize(1);
    }

    @Test
    void closing_the_producer_ends_a_send_that_waits_between_retries() throws Exception {
        FakeBalancer balancer = closeLater(new FakeBalancer());
        TopHatProducer producer = producer(fastConfig(balancer.uri())
                .withMaxRetries(ProducerConfig.RETRY_FOREVER)
                .withBackoff(Duration.ofSeconds(20), Duration.ofSeconds(20)), AckListener.NONE);

        CompletableFuture<SendResult> sending = CompletableFuture.supplyAsync(() -> sendQuietly(producer));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> balancer.registrations() >= 1);
        Thread.sleep(50); // pacing: let the send settle into its 20 s backoff, which nothing outside can observe
        producer.close();

        assertThat(sending.get(5, TimeUnit.SECONDS).delivery()).isEqualTo(Delivery.BUFFERED);
        assertThatThrownBy(() -> producer.send(HERE, DATA)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void the_offline_buffer_keeps_only_the_newest_heartbeats_and_flushes_them_in_order() throws Exception {
        FakeWorker worker = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer());
        TopHatProducer producer = producer(fastConfig(balancer.uri()).withMaxRetries(0).withBufferCapacity(3), AckListener.NONE);

        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            SendResult result = producer.send(HERE, "{\"n\":" + i + "}");
            assertThat(result.delivery()).isEqualTo(Delivery.BUFFERED);
            seqs.add(result.seq());
        }
        assertThat(producer.stats().dropped()).isEqualTo(2);
        assertThat(producer.stats().pending()).isEqualTo(3);

        balancer.addWorker(worker.uri());
        SendResult sixth = producer.send(HERE, "{\"n\":5}");

        assertThat(sixth.delivery()).isEqualTo(Delivery.ACKNOWLEDGED);
        assertThat(worker.storedSeqs()).containsExactly(seqs.get(3), seqs.get(4), sixth.seq());
        assertThat(worker.received()).extracting(r -> r.body().get("data").get("n").asInt()).containsExactly(3, 4, 5);
        assertThat(producer.stats().dropped()).isEqualTo(3);
        assertThat(producer.stats().pending()).isZero();
        assertThat(producer.stats().acknowledged()).isEqualTo(3);
    }

    @Test
    void flush_delivers_what_waits_without_making_a_new_heartbeat() throws Exception {
        FakeWorker worker = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer());
        TopHatProducer producer = producer(fastConfig(balancer.uri()).withMaxRetries(0), AckListener.NONE);
        producer.send(HERE, DATA);
        producer.send(HERE, DATA);

        balancer.addWorker(worker.uri());

        assertThat(producer.flush()).isEqualTo(FlushResult.DELIVERED);
        assertThat(worker.storedSeqs()).hasSize(2);
        assertThat(producer.stats().sent()).isEqualTo(2);
    }

    @Test
    void enqueue_never_blocks_and_a_timed_flush_keeps_retrying_at_the_backoff_pace() throws Exception {
        FakeWorker worker = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer());
        TopHatProducer producer = producer(fastConfig(balancer.uri())
                .withMaxRetries(ProducerConfig.RETRY_FOREVER)
                .withBackoff(Duration.ofMillis(200), Duration.ofMillis(200)), AckListener.NONE);

        long first = producer.enqueue(HERE, DATA);
        long started = System.nanoTime();
        assertThat(producer.flush(Duration.ofMillis(100))).isEqualTo(FlushResult.PENDING);
        assertThat(producer.enqueue(HERE, DATA)).isEqualTo(first + 1);
        assertThat(producer.flush(Duration.ofMillis(100))).isEqualTo(FlushResult.PENDING);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(producer.stats().pending()).isEqualTo(2);

        balancer.addWorker(worker.uri());
        assertThat(producer.flush(Duration.ofSeconds(5))).isEqualTo(FlushResult.DELIVERED);
        assertThat(worker.storedSeqs()).containsExactly(first, first + 1);
    }

    @Test
    void a_heartbeat_dropped_from_the_full_buffer_while_its_send_waits_is_reported_dropped() throws Exception {
        FakeWorker worker = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer());
        TopHatProducer producer = producer(fastConfig(balancer.uri())
                .withMaxRetries(ProducerConfig.RETRY_FOREVER)
                .withBufferCapacity(2), AckListener.NONE);

        CompletableFuture<SendResult> sending = CompletableFuture.supplyAsync(() -> sendQuietly(producer));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .until(() -> balancer.registrations() >= 2);
        long second = producer.enqueue(HERE, DATA);
        long third = producer.enqueue(HERE, DATA);
        balancer.addWorker(worker.uri());

        SendResult result = sending.get(10, TimeUnit.SECONDS);
        assertThat(result.delivery()).isEqualTo(Delivery.DROPPED);
        assertThat(result.seq()).isEqualTo(second - 1);
        assertThat(producer.flush()).isEqualTo(FlushResult.DELIVERED);
        assertThat(worker.storedSeqs()).containsExactly(second, third);
        assertThat(producer.stats().dropped()).isEqualTo(1);
    }

    @Test
    void sequence_numbers_start_at_the_clock_and_grow_by_one_with_the_device_time_attached() throws Exception {
        FakeWorker worker = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer(worker.uri()));
        long before = System.currentTimeMillis();
        TopHatProducer producer = producer(fastConfig(balancer.uri()), AckListener.NONE);
        long after = System.currentTimeMillis();

        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seqs.add(producer.send(HERE, DATA).seq());
        }

        assertThat(seqs.get(0)).isBetween(before, after);
        for (int i = 1; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).isEqualTo(seqs.get(i - 1) + 1);
        }
        assertThat(worker.storedSeqs()).isEqualTo(seqs);
        assertThat(worker.received()).allSatisfy(r -> {
            assertThat(r.body().get("id").asText()).isEqualTo("3000");
            assertThat(r.body().get("device_time").asLong()).isBetween(before, System.currentTimeMillis());
            assertThat(r.body().get("location").get("lat").asDouble()).isEqualTo(56.34);
        });
    }

    @Test
    void a_503_is_retried_on_the_same_worker_after_its_retry_after() throws Exception {
        FakeWorker worker = closeLater(new FakeWorker());
        FakeWorker other = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer(worker.uri(), other.uri()));
        TopHatProducer producer = producer(fastConfig(balancer.uri()), AckListener.NONE);
        worker.answerNext(503, "1", "{\"error\":\"overloaded\",\"detail\":\"write queue is full\"}");

        SendResult result = producer.send(HERE, DATA);

        assertThat(result.delivery()).isEqualTo(Delivery.ACKNOWLEDGED);
        List<FakeWorker.Received> received = worker.received();
        assertThat(received).extracting(FakeWorker.Received::status).containsExactly(503, 200);
        assertThat(Duration.ofNanos(received.get(1).atNanos() - received.get(0).atNanos())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(other.received()).isEmpty();
        assertThat(balancer.registrations()).isEqualTo(1);
        assertThat(producer.stats().reRegistrations()).isZero();
    }

    @Test
    void a_rejected_heartbeat_is_counted_and_not_retried() throws Exception {
        FakeWorker worker = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer(worker.uri()));
        TopHatProducer producer = producer(fastConfig(balancer.uri()), AckListener.NONE);
        worker.answerNext(422, null, "{\"error\":\"invalid heartbeat\",\"detail\":\"data is too large\"}");

        SendResult rejected = producer.send(HERE, DATA);
        SendResult accepted = producer.send(HERE, DATA);

        assertThat(rejected.delivery()).isEqualTo(Delivery.REJECTED);
        assertThat(rejected.detail()).contains("422").contains("data is too large");
        assertThat(accepted.delivery()).isEqualTo(Delivery.ACKNOWLEDGED);
        assertThat(worker.received()).hasSize(2);
        assertThat(producer.stats().rejected()).isEqualTo(1);
        assertThat(producer.stats().acknowledged()).isEqualTo(1);
    }

    @Test
    void the_listener_sees_every_acknowledged_producer_and_seq() throws Exception {
        FakeWorker worker = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer(worker.uri()));
        List<String> acks = new CopyOnWriteArrayList<>();
        TopHatProducer producer = producer(fastConfig(balancer.uri()), (id, seq) -> acks.add(id + "/" + seq));

        for (int i = 0; i < 4; i++) {
            producer.send(HERE, DATA);
        }

        assertThat(acks).containsExactlyElementsOf(worker.storedSeqs().stream().map(seq -> "3000/" + seq).toList());
    }

    @Test
    void tries_the_next_balancer_when_the_first_cannot_be_reached() throws Exception {
        FakeWorker worker = closeLater(new FakeWorker());
        FakeBalancer balancer = closeLater(new FakeBalancer(worker.uri()));
        TopHatProducer producer = producer(fastConfig(FakeHttp.deadAddress(), balancer.uri()), AckListener.NONE);

        assertThat(producer.register()).isEqualTo(worker.uri());
        assertThat(producer.send(HERE, DATA).delivery()).isEqualTo(Delivery.ACKNOWLEDGED);
    }

    @Test
    void bad_input_is_refused_before_anything_is_sent() {
        FakeBalancer balancer = closeLater(new FakeBalancer());
        TopHatProducer producer = producer(fastConfig(balancer.uri()), AckListener.NONE);

        assertThatThrownBy(() -> producer.send(Location.of(91, 0), DATA)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lat");
        assertThatThrownBy(() -> producer.send(HERE, "{\"battery\":")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> producer.send(HERE, "1 2")).isInstanceOf(IllegalArgumentException.class);
        assertThat(balancer.registrations()).isZero();
        assertThat(producer.stats().sent()).isZero();
    }

    private static SendResult sendQuietly(TopHatProducer producer) {
        try {
            return producer.send(HERE, DATA);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
