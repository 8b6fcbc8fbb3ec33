package io.tophat.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fault-injecting proxy against a tiny target that counts what reaches it: relayed requests arrive once and
 * come back as the target answered, dropped ones arrive but get no answer, duplicated ones arrive twice.
 */
@Timeout(60)
class FaultyProxyTest {
    private static final Predicate<HttpServerRequest> LEASE_PUTS =
            request -> request.method() == HttpMethod.PUT && request.path().endsWith("/lease");

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger counted = new AtomicInteger();
    /** What the target saw of each request: method, uri, body and the X-Test header. */
    private final List<JsonObject> seen = new CopyOnWriteArrayList<>();
    private int targetPort;
    private FaultyProxy proxy;

    @BeforeEach
    void start() throws Exception {
        HttpServer target = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
            int count = counted.incrementAndGet();
            JsonObject saw = new JsonObject().put("count", count).put("method", request.method().name())
                    .put("uri", request.uri()).put("body", body.toString()).put("test", request.getHeader("X-Test"));
            seen.add(saw);
            if (request.path().equals("/hang")) {
                return;
            }
            request.response().setStatusCode(request.method() == HttpMethod.PUT ? 201 : 200)
                    .putHeader("Content-Type", "application/json").putHeader("X-Count", Integer.toString(count))
                    .end(saw.encode());
        }));
        targetPort = join(target.listen(0, "127.0.0.1")).actualPort();
        proxy = FaultyProxy.start(vertx, targetPort, 42);
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        join(vertx.close());
    }

    @Test
    void relayed_requests_get_the_status_headers_and_body_of_the_target() {
        HttpResponse<String> put = put("/w1/lease?ttl=5", "{\"a\":1}");
        HttpResponse<String> get = Http.get(url("/cluster?x=1"));

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(put.headers().firstValue("X-Count")).hasValue("1");
        assertThat(put.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(new JsonObject(put.body())).isEqualTo(seen.get(0));
        assertThat(seen.get(0).getString("uri")).isEqualTo("/w1/lease?ttl=5");
        assertThat(seen.get(0).getString("body")).isEqualTo("{\"a\":1}");
        assertThat(seen.get(0).getString("test")).isEqualTo("yes");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(get.body()).getString("uri")).isEqualTo("/cluster?x=1");
        assertThat(counted).hasValue(2);
        assertThat(proxy.relayed()).isEqualTo(2);
    }

    @Test
    void with_drop_rate_one_the_client_gets_no_answer_but_the_target_acted_on_the_request() {
        proxy.faults(LEASE_PUTS, 1.0, 0.0);

        assertThatThrownBy(() -> put("/w1/lease", "{\"a\":1}")).isInstanceOf(UncheckedIOException.class);

        assertThat(counted).as("requests the target counted").hasValue(1);
        assertThat(seen.get(0).getString("body")).isEqualTo("{\"a\":1}");
        assertThat(proxy.dropped()).isEqualTo(1);
        assertThat(proxy.relayed()).isZero();
    }

    @Test
    void with_duplicate_rate_one_the_target_gets_each_request_twice_and_the_client_the_second_answer() {
        proxy.faults(LEASE_PUTS, 0.0, 1.0);

        HttpResponse<String> first = put("/w1/lease?ttl=5", "{\"a\":1}");
        HttpResponse<String> second = put("/w1/lease?ttl=5", "{\"a\":2}");

        assertThat(counted).as("requests the target counted").hasValue(4);
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(new JsonObject(first.body()).getInteger("count")).isEqualTo(2);
        assertThat(new JsonObject(second.body()).getInteger("count")).isEqualTo(4);
        assertThat(second.headers().firstValue("X-Count")).hasValue("4");
        assertThat(seen.get(1).copy().put("count", 1)).as("the copy sent again").isEqualTo(seen.get(0));
        assertThat(seen.get(3).copy().put("count", 3)).as("the copy sent again").isEqualTo(seen.get(2));
        assertThat(seen.get(0).getString("test")).isEqualTo("yes");
        assertThat(proxy.duplicated()).isEqualTo(2);
    }

    @Test
    void requests_not_matching_the_faults_are_relayed_untouched() {
        proxy.faults(LEASE_PUTS, 1.0, 0.0);

        HttpResponse<String> get = Http.get(url("/w1/lease"));
        HttpResponse<String> put = put("/w1/heartbeat", "{\"b\":2}");

        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(get.body()).getInteger("count")).isEqualTo(1);
        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(new JsonObject(put.body())).isEqualTo(seen.get(1));
        assertThat(seen.get(1).getString("body")).isEqualTo("{\"b\":2}");
        assertThat(counted).hasValue(2);
        assertThat(proxy.relayed()).isEqualTo(2);
        assertThat(proxy.dropped()).isZero();
    }

    @Test
    void with_mixed_rates_every_request_has_one_fate_and_the_target_counts_them_all() {
        proxy.faults(LEASE_PUTS, 0.3, 0.3);
        int failed = 0;
        for (int i = 0; i < 30; i++) {
            try {
                assertThat(put("/w1/lease", "{\"i\":" + i + "}").statusCode()).isEqualTo(201);
            } catch (UncheckedIOException e) {
                failed++;
            }
        }

        assertThat(proxy.dropped() + proxy.duplicated() + proxy.relayed()).isEqualTo(30);
        assertThat(proxy.dropped()).isEqualTo(failed).isPositive();
        assertThat(proxy.duplicated()).isPositive();
        assertThat(counted).hasValue((int) (proxy.relayed() + proxy.dropped() + 2 * proxy.duplicated()));
    }

    @Test
    void a_target_that_is_down_gets_a_502_with_a_json_error() throws Exception {
        FaultyProxy nowhere = FaultyProxy.start(vertx, JarProcess.freePort(), 1);
        try {
            HttpResponse<String> answer = Http.get("http://127.0.0.1:" + nowhere.port() + "/cluster");

            assertThat(answer.statusCode()).isEqualTo(502);
            assertThat(new JsonObject(answer.body()).getString("error")).startsWith("proxy: ");
        } finally {
            nowhere.close();
        }
    }

    @Test
    void a_target_that_does_not_answer_gets_a_502_after_five_seconds() {
        long started = System.nanoTime();
        HttpResponse<String> answer = Http.get(url("/hang"));

        assertThat(answer.statusCode()).isEqualTo(502);
        assertThat(new JsonObject(answer.body()).getString("error")).startsWith("proxy: ");
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .isBetween(Duration.ofSeconds(4), Duration.ofSeconds(9));
    }

    /** A PUT with a header of its own, to see the headers reach the target. */
    private HttpResponse<String> put(String path, String json) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("X-Test", "yes")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build();
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + proxy.port() + path;
    }

    private static <T> T join(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
