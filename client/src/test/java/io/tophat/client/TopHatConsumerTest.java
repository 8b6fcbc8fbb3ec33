package io.tophat.client;

import com.sun.net.httpserver.HttpServer;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.Location;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TopHatConsumerTest {
    private final FakeWorker worker = new FakeWorker();
    private final FakeBalancer balancer = new FakeBalancer(worker.uri());

    @AfterEach
    void stop() {
        balancer.close();
        worker.close();
    }

    private static TopHatConsumer consumer(URI... balancers) {
        return new TopHatConsumer(ConsumerConfig.of(List.of(balancers)).withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(500)));
    }

    @Test
    void latest_data_follows_the_302_and_returns_the_raw_json() throws Exception {
        balancer.assign("3000", worker.uri());
        worker.holdData("3000", "{\"battery\": 87, \"steps\": [1, 2]}");

        DataReply reply = consumer(balancer.uri()).latestData("3000");

        assertThat(reply).isEqualTo(new DataReply.Data("{\"battery\": 87, \"steps\": [1, 2]}", URI.create(worker.uri() + "/get_data/3000")));
    }

    @Test
    void latest_data_of_a_producer_the_balancer_does_not_know_is_unknown_producer() throws Exception {
        DataReply reply = consumer(balancer.uri()).latestData("4242");

        assertThat(reply).isEqualTo(new DataReply.UnknownProducer("Producer does not exist"));
    }

    @Test
    void latest_data_of_a_producer_whose_worker_holds_nothing_is_no_data() throws Exception {
        balancer.assign("3000", worker.uri());

        DataReply reply = consumer(balancer.uri()).latestData("3000");

        assertThat(reply).isInstanceOf(DataReply.NoData.class);
        assertThat(((DataReply.NoData) reply).message()).isEqualTo("No data for this producer");
    }

    @Test
    void latest_follows_the_307_and_decodes_the_full_record() throws Exception {
        Heartbeat stored = new Heartbeat("3000", new Location(56.34, -2.79, null, 5.0, 1.4, 90.0, null),
                "{\"battery\":87}", "127.0.0.1", 1_700_000_000_000L, 1_699_999_999_000L, 42L);
        balancer.assign("3000", worker.uri());
        worker.holdRecord("3000", new String(HeartbeatJson.encode(stored), StandardCharsets.UTF_8));

        assertThat(consumer(balancer.uri()).latest("3000")).contains(stored);
    }

    @Test
    void latest_of_an_unknown_producer_is_empty() throws Exception {
        assertThat(consumer(balancer.uri()).latest("4242")).isEmpty();
    }

    @Test
    void a_503_becomes_an_exception_with_the_status_the_message_and_the_retry_after() {
        balancer.assign("3000", worker.uri());
        balancer.answerDead("7");

        assertThatThrownBy(() -> consumer(balancer.uri()).latestData("3000"))
                .isInstanceOfSatisfying(ServerStatusException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.serverMessage()).isEqualTo("worker unavailable: the producer's worker is not answering");
                    assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
                    assertThat(e.uri()).isEqualTo(URI.create(balancer.uri() + "/get_data/3000"));
                });
    }

    @Test
    void an_unreachable_balancer_is_skipped_for_the_next_one() throws Exception {
        balancer.assign("3000", worker.uri());
        worker.holdData("3000", "7");

        DataReply reply = consumer(FakeHttp.deadAddress(), balancer.uri()).latestData("3000");

        assertThat(reply).isInstanceOf(DataReply.Data.class);
    }

    @Test
    void when_no_balancer_can_be_reached_the_exception_says_so() {
        URI dead = FakeHttp.deadAddress();

        assertThatThrownBy(() -> consumer(dead).latestData("3000"))
                .isInstanceOfSatisfying(UnreachableException.class, e -> {
                    assertThat(e.timedOut()).isFalse();
                    assertThat(e.uri()).isEqualTo(URI.create(dead + "/get_data/3000"));
                });
    }

    @Test
    void a_balancer_that_does_not_answer_in_time_is_a_timeout() {
        HttpServer silent = FakeHttp.start();
        silent.createContext("/", exchange -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        try {
            assertThatThrownBy(() -> consumer(FakeHttp.baseOf(silent)).latestData("3000"))
                    .isInstanceOfSatisfying(UnreachableException.class, e -> assertThat(e.timedOut()).isTrue());
        } finally {
            silent.stop(0);
        }
    }

    @Test
    void an_invalid_producer_id_is_refused_before_any_request() {
        assertThatThrownBy(() -> consumer(balancer.uri()).latestData("30 00")).isInstanceOf(IllegalArgumentException.class);
    }
}
