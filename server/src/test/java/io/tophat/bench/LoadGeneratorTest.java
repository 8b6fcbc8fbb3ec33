package io.tophat.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The load generator against a real Vert.x server on port 0 that answers, fails, hangs and stalls on demand. */
@Timeout(120)
class LoadGeneratorTest {
    private static Vertx vertx;
    private static HttpServer server;
    private static URI target;
    private static final AtomicInteger requests = new AtomicInteger();
    private static final AtomicInteger connections = new AtomicInteger();
    /** When positive: the request with this number starts a one-second stall of every answer. */
    private static final AtomicInteger stallAt = new AtomicInteger();
    private static final AtomicLong stallUntilNanos = new AtomicLong();
    /** "id/seq" of every heartbeat answered 200 by {@code /heartbeat}. */
    private static final Set<String> stored = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startServer() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer()
                .connectionHandler(c -> connections.incrementAndGet())
                .requestHandler(LoadGeneratorTest::handle);
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        target = URI.create("http://127.0.0.1:" + server.actualPort());
    }

    @AfterAll
    static void stopServer() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void reset() {
        requests.set(0);
        connections.set(0);
        stallAt.set(0);
        stallUntilNanos.set(0);
        stored.clear();
    }

    private static void handle(HttpServerRequest req) {
        int n = requests.incrementAndGet();
        switch (req.path()) {
            case "/missing" -> req.response().setStatusCode(404).end("no");
            case "/fail" -> req.response().setStatusCode(500).end("broken");
            case "/redirect" -> req.response().setStatusCode(302).putHeader("Location", "http://127.0.0.1:9/x").end();
            case "/hang" -> { }
            case "/close" -> req.connection().close();
            case "/heartbeat" -> answerHeartbeat(req);
            case "/slow" -> answerSlowly(req, n);
            default -> answerOk(req, n);
        }
    }

    private static void answerOk(HttpServerRequest req, int n) {
        if (n == stallAt.get()) {
            stallUntilNanos.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        }
        long waitMs = (stallUntilNanos.get() - System.nanoTime()) / 1_000_000;
        if (waitMs > 0) {
            vertx.setTimer(waitMs, id -> req.response().end("ok"));
        } else {
            req.response().end("ok");
        }
    }

    /** Records the (id, seq) of every heartbeat it answers 200; an odd seq is answered 503. */
    private static void answerHeartbeat(HttpServerRequest req) {
        req.body().onSuccess(body -> {
            JsonObject hb = body.toJsonObject();
            long seq = hb.getLong("seq");
            if (seq % 2 == 0) {
                stored.add(hb.getString("id") + "/" + seq);
                req.response().end("{\"status\":\"stored\"}");
            } else {
                req.response().setStatusCode(503).end("{\"error\":\"store unavailable\"}");
            }
        });
    }

    /** Answers after 4 ms (at most 250 answers a second on one connection), plus the stall when there is one. */
    private static void answerSlowly(HttpServerRequest req, int n) {
        if (n == stallAt.get()) {
            stallUntilNanos.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        }
        long waitMs = 4 + Math.max(0, (stallUntilNanos.get() - System.nanoTime()) / 1_000_000);
        vertx.setTimer(waitMs, id -> req.response().end("ok"));
    }

    private static LoadPlan plan(RequestMix mix, int connections) {
        return LoadPlan.closedLoop("test", target, mix, connections, Duration.ofSeconds(1)).withTimeout(Duration.ofSeconds(5));
    }

    @Test
    void a_counted_run_sends_exactly_the_requests_asked_and_counts_answers_by_status() {
        RequestMix mix = RequestMix.get(List.of("/ok", "/redirect", "/missing", "/fail"));

        LoadResult r = LoadGenerator.run(plan(mix, 8).withRequests(400));

        assertThat(requests.get()).isEqualTo(400);
        assertThat(r.statuses()).containsOnly(entry(200, 100L), entry(302, 100L), entry(404, 100L), entry(500, 100L));
        assertThat(r.ok()).isEqualTo(200);
        assertThat(r.failed()).isEqualTo(200);
        assertThat(r.errors()).isEmpty();
        assertThat(r.latency().getTotalCount()).isEqualTo(400);
        assertThat(r.errorSummary()).isEqualTo("100 x 404, 100 x 500");
    }

    @Test
    void with_keep_alive_connections_carry_many_requests_and_without_it_each_request_has_its_own() {
        LoadResult kept = LoadGenerator.run(plan(RequestMix.get("/ok"), 4).withRequests(200));
        int keptConnections = connections.getAndSet(0);

        LoadResult closed = LoadGenerator.run(plan(RequestMix.get("/ok"), 4).withKeepAlive(false).withRequests(200));

        assertThat(kept.ok()).isEqualTo(200);
        assertThat(keptConnections).isEqualTo(4);
        assertThat(closed.ok()).isEqualTo(200);
        assertThat(connections.get()).isEqualTo(200);
    }

    @Test
    void a_port_with_nobody_listening_counts_as_connect_refused() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LoadPlan nobody = plan(RequestMix.get("/ok"), 2).withTarget("nobody", URI.create("http://127.0.0.1:" + port),
                RequestMix.get("/ok"));

        LoadResult r = LoadGenerator.run(nobody.withRequests(10));

        assertThat(r.errors()).containsOnly(entry(ErrorKind.CONNECT_REFUSED, 10L));
        assertThat(r.answers()).isZero();
        assertThat(r.failed()).isEqualTo(10);
    }

    @Test
    void an_answer_that_never_comes_counts_as_a_timeout_with_its_wait_as_latency() {
        LoadResult r = LoadGenerator.run(plan(RequestMix.get("/hang"), 2).withTimeout(Duration.ofMillis(300))
                .withRequests(4));

        assertThat(r.errors()).containsOnly(entry(ErrorKind.TIMEOUT, 4L));
        assertThat(r.percentileMillis(50)).isGreaterThanOrEqualTo(290);
    }

    @Test
    void a_connection_closed_without_answer_counts_as_reset() {
        LoadResult r = LoadGenerator.run(plan(RequestMix.get("/close"), 2).withRequests(6));

        assertThat(r.errors()).containsOnly(entry(ErrorKind.RESET, 6L));
    }

    @Test
    void a_timed_run_reports_only_the_measured_part_and_writes_progress_lines() {
        StringBuilder lines = new StringBuilder();
        LoadPlan p = plan(RequestMix.get("/ok"), 4).withWarmup(Duration.ofMillis(500))
                .withDuration(Duration.ofMillis(1500)).withProgress(Duration.ofMillis(500));

        LoadResult r = LoadGenerator.run(p, line -> lines.append(line).append('\n'));

        assertThat(r.ok()).isPositive().isLessThan(requests.get());
        assertThat(r.failed()).isZero();
        assertThat(r.elapsed()).isBetween(Duration.ofMillis(1400), Duration.ofMillis(3000));
        assertThat(lines.toString()).contains("[test]").contains("requests/s");
    }

    @Test
    void an_open_loop_counts_the_wait_behind_a_server_stall_which_a_closed_loop_hides() {
        // One connection; the 200th request makes the server hold every answer for one second.
        stallAt.set(200);
        LoadPlan closedLoop = plan(RequestMix.get("/ok"), 1).withDuration(Duration.ofSeconds(3));
        LoadResult closed = LoadGenerator.run(closedLoop);

        reset();
        stallAt.set(200);
        LoadResult open = LoadGenerator.run(closedLoop.withRate(500));

        // Closed loop: the connection waits, so only the one stalled request shows the stall.
        assertThat(closed.latenciesAtLeast(Duration.ofMillis(300))).isLessThanOrEqualTo(3);
        // Open loop: the ~500 requests due during the stall are measured from when they were due.
        assertThat(open.latenciesAtLeast(Duration.ofMillis(300))).isGreaterThan(100);
        assertThat(open.percentileMillis(90)).isGreaterThan(closed.percentileMillis(90));
        assertThat(open.ok()).isBetween(1000L, 1600L);
    }

    @Test
    void a_backlog_left_by_the_warmup_is_not_measured_as_latency() {
        // One connection, at most 250 answers/s, 200 requests/s asked: a one-second stall early in the warmup
        // leaves a backlog that takes seconds to drain. The measured part must start from a fresh schedule.
        stallAt.set(10);
        LoadPlan p = plan(RequestMix.get("/slow"), 1).withRate(200).withWarmup(Duration.ofMillis(1500))
                .withDuration(Duration.ofMillis(1500));

        LoadResult r = LoadGenerator.run(p);

        assertThat(r.ok()).isBetween(200L, 400L);
        assertThat(r.latenciesAtLeast(Duration.ofMillis(500))).isZero();
    }

    @Test
    void an_answer_listener_hears_of_every_answered_request_once_with_its_number_and_status() {
        RequestMix mix = RequestMix.get(List.of("/ok", "/redirect", "/missing", "/fail"));
        Map<Long, Integer> heard = new ConcurrentHashMap<>();
        AtomicInteger twice = new AtomicInteger();

        LoadResult r = LoadGenerator.run(plan(mix, 8).withRequests(400).withAnswerListener((n, status) -> {
            if (heard.put(n, status) != null) {
                twice.incrementAndGet();
            }
        }));

        assertThat(r.answers()).isEqualTo(400);
        assertThat(twice.get()).isZero();
        assertThat(heard).hasSize(400);
        int[] statusOfTarget = {200, 302, 404, 500};
        heard.forEach((n, status) -> assertThat(status).as("request %d", n).isEqualTo(statusOfTarget[mix.target(n)]));
    }

    @Test
    void the_requests_a_listener_hears_answered200_are_exactly_the_heartbeats_the_server_stored() {
        HeartbeatMix mix = new HeartbeatMix(ProducerIds.bench(50), HeartbeatMix.seqBaseNow());
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger unavailable = new AtomicInteger();

        LoadResult r = LoadGenerator.run(plan(mix, 8).withRequests(1000).withAnswerListener((n, status) -> {
            if (status == 200) {
                acknowledged.add(mix.producerId(n) + "/" + mix.seq(n));
            } else if (status == 503) {
                unavailable.incrementAndGet();
            }
        }));

        assertThat(r.answers()).isEqualTo(1000);
        assertThat(acknowledged).hasSize(500).isEqualTo(stored);
        assertThat(unavailable.get()).isEqualTo(500);
    }

    @Test
    void no_listener_is_carried_to_a_reference_run() {
        LoadPlan p = plan(RequestMix.get("/ok"), 1).withAnswerListener((n, status) -> { });

        assertThat(p.answerListener()).isNotNull();
        assertThat(p.withRequests(5).withThreads(1).answerListener()).isSameAs(p.answerListener());
        assertThat(p.withTarget("reference", target, RequestMix.get("/health")).answerListener()).isNull();
    }

    @Test
    void a_timed_run_ends_when_its_stop_completes_and_reports_only_the_time_until_then() throws Exception {
        CompletableFuture<Void> stop = new CompletableFuture<>();
        LoadPlan long60s = plan(RequestMix.get("/ok"), 4).withDuration(Duration.ofSeconds(60));

        CompletableFuture<LoadResult> run = CompletableFuture.supplyAsync(() -> LoadGenerator.run(long60s, l -> { }, stop));
        Thread.sleep(700);
        stop.complete(null);
        LoadResult r = run.get(20, TimeUnit.SECONDS);

        assertThat(r.ok()).isPositive();
        assertThat(r.failed()).isZero();
        assertThat(r.elapsed()).isBetween(Duration.ofMillis(500), Duration.ofSeconds(10));
    }

    @Test
    void a_counted_run_ends_when_its_stop_completes_even_if_answers_never_come() throws Exception {
        CompletableFuture<Void> stop = new CompletableFuture<>();
        LoadPlan hanging = plan(RequestMix.get("/hang"), 2).withTimeout(Duration.ofSeconds(60)).withRequests(10);

        CompletableFuture<LoadResult> run = CompletableFuture.supplyAsync(() -> LoadGenerator.run(hanging, l -> { }, stop));
        Thread.sleep(300);
        stop.completeExceptionally(new IllegalStateException("the server was killed"));
        LoadResult r = run.get(20, TimeUnit.SECONDS);

        assertThat(r.answers()).isZero();
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(10));
    }
}
