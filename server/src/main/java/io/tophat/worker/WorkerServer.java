package io.tophat.worker;

import io.tophat.http.ApiException;
import io.tophat.http.ErrorResponder;
import io.tophat.http.HttpService;
import io.tophat.http.Responses;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.WorkerLoad;
import io.tophat.protocol.WorkerRegistration;
import io.tophat.store.HeartbeatStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A worker: receives heartbeats, keeps the latest per producer in a bounded cache, persists every heartbeat
 * through one batching writer, serves reads, and holds a lease at each balancer. {@link #start} registers
 * with the balancers and fails, naming the address, when one cannot be reached.
 */
public final class WorkerServer {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerServer.class);
    private static final Duration REGISTRATION_PATIENCE = Duration.ofSeconds(5);

    private final Vertx vertx;
    private final WorkerConfig config;
    private final HeartbeatStore store;
    private final LatestCache latest;
    private final LatestCache byLabel;
    private final WorkerMetrics metrics = new WorkerMetrics();
    private final IngestPipeline ingest;
    private final WorkerExecutor storeReads;
    private final HeartbeatParser parser = new HeartbeatParser();
    private final HttpService http;
    private final List<BalancerLink> links = new ArrayList<>();
    private volatile String url;

    /** Takes ownership of {@code store}: it is closed by {@link #stop}. */
    public WorkerServer(Vertx vertx, WorkerConfig config, HeartbeatStore store) {
        this.vertx = vertx;
        this.config = config;
        this.store = store;
        int cacheCapacity = config.ack() == AckMode.CACHED ? config.cacheSize() * 2 : config.cacheSize();
        this.latest = new LatestCache(cacheCapacity);
        this.byLabel = new LatestCache(cacheCapacity);
        this.ingest = new IngestPipeline(config, store, latest, byLabel, metrics);
        this.storeReads = vertx.createSharedWorkerExecutor("tophat-store-read", 4);
        this.http = new HttpService(vertx);
    }

    private Router routes() {
        Router router = Router.router(vertx);
        ReadHandlers reads = new ReadHandlers(latest, byLabel, store, storeReads);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
        router.post("/heartbeat").handler(body).handler(rc -> heartbeat(rc, true));
        router.post("/api/v1/heartbeats").handler(body).handler(rc -> heartbeat(rc, false));
        router.get("/get_data/:id").handler(reads::seedData);
        router.get("/get_data_location/:location").handler(reads::locationData);
        router.get("/api/v1/producers/:id").handler(reads::record);
        router.get("/api/v1/producers/:id/history").handler(reads::history);
        router.get("/api/v1/status").handler(this::status);
        router.get("/health").handler(this::health);
        return ErrorResponder.install(router);
    }

    private void heartbeat(RoutingContext rc, boolean seed) {
        if (!seed && !isJson(rc.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
            rc.fail(new ApiException(415, "unsupported media type", "send Content-Type: application/json", 0));
            return;
        }
        Heartbeat hb;
        try {
            Buffer body = rc.body().buffer();
            hb = parser.parse(body == null ? new byte[0] : body.getBytes(), rc.request().remoteAddress().hostAddress(),
                    System.currentTimeMillis());
        } catch (ApiException e) {
            metrics.rejected();
            rc.fail(seed && e.status() == 422 ? ApiException.badRequest(e.error(), e.detail()) : e);
            return;
        }
        ingest.submit(hb, vertx.getOrCreateContext(), rc.response());
    }

    private static boolean isJson(String contentType) {
        return contentType != null && contentType.regionMatches(true, 0, "application/json", 0, 16);
    }

    private void status(RoutingContext rc) {
        Responses.json(rc.response(), 200, Map.of("role", "worker", "url", String.valueOf(url),
                "ack", config.ack().name().toLowerCase(), "load", load(),
                "heartbeats_acknowledged", metrics.acknowledgedTotal(),
                "heartbeats_rejected", metrics.rejectedTotal()));
    }

    private void health(RoutingContext rc) {
        Responses.json(rc.response(), 200, Map.of("status", "ok", "role", "worker"));
    }

    private WorkerLoad load() {
        WorkerMetrics.Sample sample = metrics.sample();
        return new WorkerLoad(latest.size(), sample.heartbeatsPerSecond(), ingest.queueDepth(),
                sample.p99IngestMillis(), store.identity());
    }

    /** Listens, then registers with every balancer; completes with the port. */
    public Future<Integer> start() {
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        return http.start(routes(), config.host(), config.port(), instances).compose(port -> {
            String advertised = config.advertiseHost() == null ? null
                    : "http://" + config.advertiseHost() + ":" + port;
            WorkerRegistration registration = new WorkerRegistration(advertised, port, store.identity(),
                    config.leaseInterval().toMillis());
            List<Future<?>> registrations = new ArrayList<>();
            for (URI balancer : config.balancers()) {
                BalancerLink link = new BalancerLink(vertx, balancer, registration, this::load);
                links.add(link);
                registrations.add(link.register(REGISTRATION_PATIENCE).onSuccess(lease -> url = lease.url()));
            }
            return Future.all(registrations).map(port).onSuccess(p -> LOG.info(
                    "worker listening on {}:{}, ack {}, cache {} producers, store {}", config.host(), p,
                    config.ack().name().toLowerCase(), config.cacheSize(), config.storeFile()));
        });
    }

    /** The URL the balancer gave this worker (after {@link #start}). */
    public String url() {
        return url;
    }

    public int port() {
        return http.port();
    }

    /** The worker's store, for embedding code that reads history directly. */
    public HeartbeatStore store() {
        return store;
    }

    /** Leaves the balancers, stops listening, writes everything held, and closes the store. */
    public Future<Void> stop() {
        List<Future<Void>> quits = links.stream().map(BalancerLink::quit).toList();
        return Future.join(quits).otherwiseEmpty()
                .compose(v -> http.stop())
                .compose(v -> vertx.executeBlocking(() -> {
                    ingest.close();
                    store.close();
                    return null;
                }))
                .eventually(storeReads::close)
                .onSuccess(v -> LOG.info("worker stopped; every heartbeat it held is stored"))
                .mapEmpty();
    }
}
