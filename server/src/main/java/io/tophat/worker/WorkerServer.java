package io.tophat.worker;

import io.tophat.geo.NearIndex;
import io.tophat.http.HttpService;
import io.tophat.http.TlsConfig;
import io.tophat.http.VertxRuntime;
import io.tophat.http.Responses;
import io.tophat.http.RouteTable;
import io.tophat.protocol.WorkerLease;
import io.tophat.protocol.WorkerLoad;
import io.tophat.protocol.WorkerRegistration;
import io.tophat.history.HistoryRequest;
import io.tophat.security.Access;
import io.tophat.security.KeyRing;
import io.tophat.security.Op;
import io.tophat.store.HeartbeatStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
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
    private final NearIndex near = new NearIndex(LatestCache.RECORDS);
    private final WorkerMetrics metrics = new WorkerMetrics();
    private final StreamHub streams;
    /** The live side of the streams when the store is shared; null otherwise. */
    private final StoreTail tail;
    private final IngestPipeline<HttpServerResponse> ingest;
    private final WorkerExecutor storeReads;
    private final IngestHandler ingestHandler;
    private final HttpService http;
    private final List<BalancerLink> links = new ArrayList<>();
    private final Fence fence = new Fence();
    private final StoreHealth storeHealth;
    private boolean steppedAside;
    private boolean probing;
    private long healthTimer = -1;
    private final RetentionJob retention;
    private final Access access;
    /** The consumer keys of every balancer this worker registered with (union), replaced when one changes. */
    private volatile KeyRing keys = KeyRing.EMPTY;
    private long sweepTimer = -1;
    private volatile String url;
    private volatile boolean draining;
    private volatile WorkerLoad lastLoad = WorkerLoad.NONE;
    private volatile Runnable onDrainRequested = () -> { };

    /**
     * A worker on the store its process chose (see {@code HeartbeatStores}); not yet listening. Takes ownership of
     * {@code store}: it is closed by {@link #stop}.
     */
    public WorkerServer(Vertx vertx, WorkerConfig config, HeartbeatStore store) {
        this.vertx = vertx;
        this.config = config;
        this.store = store;
        int cacheCapacity = config.ingest().ack() == AckMode.CACHED ? config.ingest().cacheSize() * 2 : config.ingest().cacheSize();
        this.latest = new LatestCache(cacheCapacity, near::release);
        this.byLabel = new LatestCache(cacheCapacity);
        this.storeHealth = new StoreHealth(config.membership().storeFailureThreshold(), store.shared());
        this.streams = new StreamHub(store.identity(), latest, store.shared());
        this.tail = store.shared() ? new StoreTail(store, streams) : null;
        this.ingest = new IngestPipeline<>(config, store, latest, byLabel, near, streams, metrics, storeHealth,
                IngestHandler::answer);
        this.storeReads = vertx.createSharedWorkerExecutor("tophat-store-read", 4);
        this.access = config.security().access(() -> keys);
        this.ingestHandler = new IngestHandler(vertx, config.ingest(), ingest, fence, metrics, () -> draining,
                storeHealth, access);
        this.http = new HttpService(vertx);
        this.retention = config.storage().retention() == null ? null
                : new RetentionJob(store, config.storage().retention());
    }

    /** Every route of the worker; the two heartbeat paths and cached latest reads are served ahead of the router. */
    private RouteTable routes() {
        ReadHandlers reads = new ReadHandlers(access, latest, byLabel, store, storeReads);
        RouteTable table = new RouteTable(vertx)
                .fastExact("/heartbeat", ingestHandler::seed)
                .fastExact("/api/v1/heartbeats", ingestHandler::v1)
                .fastPrefix(ReadHandlers.SEED_DATA, reads::fastLatest)
                .fastPrefix(ReadHandlers.RECORD, reads::fastLatest);
        Router router = table.router();
        router.get("/get_data/:id").handler(access.consumers(Op.READ)).handler(reads::seedData);
        router.get("/get_data_location/:location").handler(access.consumers(Op.READ)).handler(reads::locationData);
        router.get("/api/v1/producers/:id").handler(access.consumers(Op.READ)).handler(reads::record);
        router.get("/api/v1/producers/:id/history").handler(access.consumers(HistoryRequest::operation))
                .handler(new HistoryHandler(store, storeReads)::history);
        router.post("/api/v1/producers/:id/heartbeats").handler(new BatchHandler(vertx, config.ingest(), ingest, store,
                storeReads, fence, () -> draining, storeHealth, metrics, access)::batch);
        router.delete("/api/v1/producers/:id").handler(access.consumers(Op.ERASE))
                .handler(new EraseHandler(store, storeReads, latest, byLabel, near)::erase);
        router.get("/api/v1/near").handler(access.consumers(Op.NEAR)).handler(new NearHandler(near)::near);
        StreamHandler stream = new StreamHandler(vertx, streams, store, storeReads, config.streams());
        router.get("/api/v1/stream").handler(access.consumers(Op.STREAM)).handler(stream::sse);
        router.get("/api/v1/producers/:id/stream").handler(access.consumers(Op.STREAM)).handler(stream::sse);
        router.get("/api/v1/ws").handler(access.consumers(Op.STREAM)).handler(stream::webSocket);
        router.get("/api/v1/producers/:id/ws").handler(access.consumers(Op.STREAM)).handler(stream::webSocket);
        router.get("/api/v1/producers").handler(access.consumers(Op.READ)).handler(reads::producers);
        router.get("/api/v1/status").handler(access.cluster()).handler(this::status);
        router.get("/health").handler(this::health);
        return table;
    }

    private void leaseAnswered(WorkerLease lease) {
        if (lease.keys() != null) {
            KeyRing all = KeyRing.EMPTY;
            for (BalancerLink link : links) {
                all = all.with(link.keys());
            }
            keys = all;
        }
        if (lease.draining() && !draining) {
            LOG.info("the balancer asks this worker to drain; leaving once its producers have moved");
            draining = true;
            onDrainRequested.run();
        }
    }

    /**
     * Every 250 ms: while the store fails writes, probes it (one probe at a time, on a store thread) to learn when
     * it takes writes again; when the worker steps aside or back, it logs once and renews every lease at once, so
     * the balancers stop or resume sending producers here without waiting a lease interval.
     */
    private void watchStore() {
        if (storeHealth.failing() && !probing) {
            probing = true;
            storeReads.<Void>executeBlocking(() -> {
                store.checkWritable();
                return null;
            }, false).onComplete(probe -> {
                probing = false;
                if (probe.succeeded()) {
                    storeHealth.succeeded();
                }
            });
        }
        long asideMs = storeHealth.steppedAsideMs();
        if ((asideMs > 0) != steppedAside) {
            steppedAside = asideMs > 0;
            if (steppedAside) {
                LOG.warn("the store has failed every write for {} ms; stepping aside: no new producers, producers "
                        + "are sent to other workers (410) until a write succeeds", asideMs);
            } else {
                LOG.info("the store takes writes again; this worker takes producers again");
            }
            links.forEach(BalancerLink::renewSoon);
        }
    }

    /** Called once when a balancer asks this worker to drain (an operator's drain request). */
    public void onDrainRequested(Runnable action) {
        this.onDrainRequested = action;
    }

    private void status(RoutingContext rc) {
        Runtime jvm = Runtime.getRuntime();
        Responses.json(rc.response(), 200, new WorkerStatus("worker", url, config.ingest().ack().name().toLowerCase(),
                metrics.acknowledgedTotal(), metrics.rejectedTotal(), ingest.queueDepth(), store.backlog(),
                jvm.totalMemory() - jvm.freeMemory(), jvm.maxMemory(), streams.subscribers(), streams.laggedTotal(),
                lastLoad));
    }

    private void health(RoutingContext rc) {
        Responses.json(rc.response(), 200, Map.of("status", "ok", "role", "worker"));
    }

    /** The load figures for a lease renewal: rates and p99 since the previous renewal. */
    private WorkerLoad load() {
        WorkerMetrics.Sample sample = metrics.sample();
        lastLoad = new WorkerLoad(latest.size(), sample.heartbeatsPerSecond(), ingest.queueDepth(),
                sample.p99IngestMillis(), store.identity());
        return lastLoad;
    }

    /**
     * Files the latest positions the store holds in the "who is near here" index, and notes how far the store has
     * committed, before taking heartbeats.
     */
    private Future<Void> loadPositions() {
        return vertx.executeBlocking(() -> {
            streams.committedThrough(store.lastKey());
            long start = System.nanoTime();
            store.eachLatestPosition(near::offer);
            if (near.size() > 0) {
                LOG.info("filed the latest positions of {} producers for near queries in {} ms", near.size(),
                        (System.nanoTime() - start) / 1_000_000);
            }
            return null;
        });
    }

    /** Loads the positions it holds, listens, then registers with every balancer; completes with the port. */
    public Future<Integer> start() {
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        TlsConfig tls = config.security().tls();
        return loadPositions().compose(v -> http.start(routes(), config.listen().host(), config.listen().port(),
                instances, config.security().limits(), tls.server())).compose(port -> {
            String advertised = config.listen().advertiseHost() == null ? null
                    : tls.scheme() + "://" + config.listen().advertiseHost() + ":" + port;
            WorkerRegistration registration = new WorkerRegistration(advertised, port, store.identity(),
                    store.identityProof(), store.shared(), null, tls.server().isPresent(), streams.committed());
            List<Future<?>> registrations = new ArrayList<>();
            healthTimer = vertx.setPeriodic(250, t -> watchStore());
            sweepTimer = vertx.setPeriodic(10_000, t -> access.sweep());
            if (access.isOpen()) {
                LOG.warn("--auth none: anyone who can reach this worker may send heartbeats as any producer and "
                        + "read every producer's data");
            }
            if (retention != null) {
                retention.start();
            }
            if (tail != null) {
                tail.start();
            }
            for (URI balancer : config.membership().balancers()) {
                BalancerLink link = new BalancerLink(vertx, balancer, registration, this::load,
                        storeHealth::steppedAsideMs, streams::committed, this::leaseAnswered,
                        access.clusterAuthorization(), tls);
                links.add(link);
                fence.add(link.holdings());
                registrations.add(link.register(REGISTRATION_PATIENCE).onSuccess(lease -> url = lease.url()));
            }
            return Future.all(registrations).map(port).onSuccess(p -> LOG.info(
                    "worker listening on {}:{} ({}), ack {}, cache {} producers, store {}", config.listen().host(), p,
                    VertxRuntime.transport(vertx),
                    config.ingest().ack().name().toLowerCase(), config.ingest().cacheSize(), store.description()));
        });
    }

    private Future<Void> producersMoved() {
        long deadline = System.nanoTime() + config.membership().drainTimeout().toNanos();
        long quiet = 2 * links.stream().mapToLong(BalancerLink::leaseIntervalMs).max().orElse(1000) * 1_000_000L;
        Promise<Void> moved = Promise.promise();
        // Not setPeriodic(0, ...): a periodic timer that fires at once cannot yet be cancelled from its own handler.
        vertx.setPeriodic(100, timer -> {
            long now = System.nanoTime();
            boolean none = links.stream().allMatch(l -> l.producersAssigned() == 0);
            if (none || now - ingestHandler.lastHeartbeatNanos() > quiet || now > deadline) {
                vertx.cancelTimer(timer);
                moved.tryComplete();
            }
        });
        return moved.future();
    }

    /** The URL the balancer gave this worker (after {@link #start}). */
    public String url() {
        return url;
    }

    public int port() {
        return http.port();
    }

    /**
     * Runs one retention pass now, on the retention job's thread (for the bench and embedding code); completes
     * with the heartbeats deleted, or fails when the worker has no {@code --retention}.
     */
    public java.util.concurrent.CompletableFuture<Long> runRetention() {
        if (retention == null) {
            return java.util.concurrent.CompletableFuture.failedFuture(
                    new IllegalStateException("this worker has no --retention"));
        }
        return retention.runSoon();
    }

    /** The worker's store, for embedding code that reads history directly. */
    public HeartbeatStore store() {
        return store;
    }

    /**
     * Drains (no new producers; heartbeats answered 410 so producers re-register elsewhere) until the balancers
     * count no producer here, no heartbeat has come for two lease intervals, or the drain timeout passes; then
     * leaves the balancers, stops listening, writes everything held, and closes the store.
     */
    public Future<Void> stop() {
        draining = true;
        return Future.join(links.stream().map(BalancerLink::drain).toList()).otherwiseEmpty()
                .compose(v -> producersMoved())
                .compose(v -> Future.join(links.stream().map(BalancerLink::quit).toList()).otherwiseEmpty())
                .compose(v -> {
                    vertx.cancelTimer(healthTimer);
                    vertx.cancelTimer(sweepTimer);
                    return http.stop();
                })
                .compose(v -> vertx.executeBlocking(() -> {
                    if (tail != null) {
                        tail.stop();
                    }
                    if (retention != null) {
                        retention.close();
                    }
                    ingest.close();
                    store.close();
                    return null;
                }))
                .eventually(storeReads::close)
                .onSuccess(v -> LOG.info("worker stopped; every heartbeat it held is stored"))
                .mapEmpty();
    }
}
