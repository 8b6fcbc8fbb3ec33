package io.tophat.testing;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An HTTP/1.1 reverse proxy on 127.0.0.1 that a test puts between a worker and a balancer, to lose or duplicate
 * the balancer's answers to chosen requests: a dropped request is still acted on by the target, but the client's
 * connection is closed without an answer; a duplicated one reaches the target twice, and the client gets the
 * second answer. Every other request is relayed faithfully. The faults are drawn from a seeded {@link Random}, so
 * a failing run can be repeated. Bodies are read whole before they are forwarded (they are small JSON).
 */
public final class FaultyProxy {
    private static final long TARGET_TIMEOUT_MS = 5_000;
    /** Not forwarded to the target: the proxy sends its own Host and a whole body with its own length. */
    private static final Set<String> REQUEST_HOP_BY_HOP = Set.of("host", "content-length", "connection",
            "transfer-encoding", "keep-alive", "expect");
    private static final Set<String> RESPONSE_HOP_BY_HOP = Set.of("connection", "transfer-encoding", "keep-alive");

    private enum Fate { RELAY, DROP, DUPLICATE }

    /** Which requests get faults, and how often. */
    private record Faults(Predicate<HttpServerRequest> which, double dropRate, double duplicateRate) {
    }

    /** The target's answer, read in full. */
    private record Answer(int status, String message, MultiMap headers, Buffer body) {
    }

    private final HttpServer server;
    private final HttpClientAgent client;
    private final int targetPort;
    private final Random random;
    private volatile Faults faults = new Faults(request -> false, 0, 0);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong relayed = new AtomicLong();

    private FaultyProxy(Vertx vertx, int targetPort, long seed) {
        this.targetPort = targetPort;
        this.random = new Random(seed);
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) TARGET_TIMEOUT_MS),
                new PoolOptions().setHttp1MaxSize(16));
        this.server = vertx.createHttpServer(new HttpServerOptions().setHandle100ContinueAutomatically(true))
                .requestHandler(this::handle);
    }

    /** Starts a proxy to {@code 127.0.0.1:targetPort} on an ephemeral port; it relays all until told otherwise. */
    public static FaultyProxy start(Vertx vertx, int targetPort, long seed) {
        FaultyProxy proxy = new FaultyProxy(vertx, targetPort, seed);
        join(proxy.server.listen(0, "127.0.0.1"), "listen");
        return proxy;
    }

    public int port() {
        return server.actualPort();
    }

    /**
     * From now on, each request matching {@code which} (a {@code PUT} whose path ends with {@code /lease}, for
     * example) has its answer lost with probability {@code dropRate}, is sent twice with probability
     * {@code duplicateRate}, and is relayed once otherwise. Requests not matching are relayed.
     */
    public FaultyProxy faults(Predicate<HttpServerRequest> which, double dropRate, double duplicateRate) {
        if (dropRate < 0 || duplicateRate < 0 || dropRate + duplicateRate > 1) {
            throw new IllegalArgumentException("rates must be at least 0 and add up to at most 1: drop " + dropRate
                    + ", duplicate " + duplicateRate);
        }
        faults = new Faults(which, dropRate, duplicateRate);
        return this;
    }

    /** Requests whose answer the proxy threw away after the target had acted on them. */
    public long dropped() {
        return dropped.get();
    }

    /** Requests the proxy sent to the target twice. */
    public long duplicated() {
        return duplicated.get();
    }

    /** Requests the proxy sent to the target once, whether they matched the faults or not. */
    public long relayed() {
        return relayed.get();
    }

    public void close() {
        join(server.close(), "close the server");
        join(client.close(), "close the client");
    }

    private void handle(HttpServerRequest request) {
        Faults current = faults;
        Fate fate = current.which().test(request) ? draw(current) : Fate.RELAY;
        request.body().onComplete(body -> {
            if (body.failed()) {
                request.connection().close();
                return;
            }
            switch (fate) {
                case DROP -> {
                    dropped.incrementAndGet();
                    forward(request, body.result()).onComplete(thrownAway -> request.connection().close());
                }
                case DUPLICATE -> {
                    duplicated.incrementAndGet();
                    forward(request, body.result()).transform(stolen -> forward(request, body.result()))
                            .onComplete(second -> answer(request, second));
                }
                default -> {
                    relayed.incrementAndGet();
                    forward(request, body.result()).onComplete(answer -> answer(request, answer));
                }
            }
        });
    }

    private Fate draw(Faults current) {
        double x;
        synchronized (random) {
            x = random.nextDouble();
        }
        if (x < current.dropRate()) {
            return Fate.DROP;
        }
        return x < current.dropRate() + current.duplicateRate() ? Fate.DUPLICATE : Fate.RELAY;
    }

    /** Sends the request to the target and reads its answer whole; fails after 5 s without progress. */
    private Future<Answer> forward(HttpServerRequest request, Buffer body) {
        RequestOptions options = new RequestOptions().setMethod(request.method()).setHost("127.0.0.1")
                .setPort(targetPort).setURI(request.uri()).setTimeout(TARGET_TIMEOUT_MS);
        for (Map.Entry<String, String> header : request.headers()) {
            if (!REQUEST_HOP_BY_HOP.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                options.addHeader(header.getKey(), header.getValue());
            }
        }
        return client.request(options)
                .compose(outgoing -> outgoing.send(body))
                .compose(response -> response.body().map(answer -> new Answer(response.statusCode(),
                        response.statusMessage(), response.headers(), answer)));
    }

    private static void answer(HttpServerRequest request, AsyncResult<Answer> answer) {
        HttpServerResponse response = request.response();
        if (response.closed() || response.ended()) {
            return;
        }
        if (answer.failed()) {
            Throwable cause = answer.cause();
            String reason = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
            response.setStatusCode(502).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(new JsonObject().put("error", "proxy: " + reason).encode());
            return;
        }
        Answer a = answer.result();
        response.setStatusCode(a.status());
        if (a.message() != null) {
            response.setStatusMessage(a.message());
        }
        for (Map.Entry<String, String> header : a.headers()) {
            if (!RESPONSE_HOP_BY_HOP.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                response.headers().add(header.getKey(), header.getValue());
            }
        }
        response.end(a.body());
    }

    private static <T> T join(Future<T> future, String what) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + what, e);
        } catch (Exception e) {
            throw new IllegalStateException("the proxy could not " + what, e);
        }
    }
}
