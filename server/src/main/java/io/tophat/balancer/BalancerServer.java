package io.tophat.balancer;

import io.tophat.http.HttpService;
import io.tophat.http.Responses;
import io.tophat.http.RouteTable;
import io.tophat.http.VertxRuntime;
import io.tophat.config.Durations;
import io.tophat.history.HistoryRequest;
import io.tophat.security.Access;
import io.tophat.security.Op;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The balancer's HTTP face: the seed protocol and API v1 over one {@link Balancer}, in one route table whose
 * handlers live in {@link SeedHandlers}, {@link ProducerHandlers} and {@link MembershipHandlers}. Redirects are
 * answered from memory; registrations are answered once written to the balancer's state file.
 */
public final class BalancerServer {
    private static final Logger LOG = LoggerFactory.getLogger(BalancerServer.class);
    /** A registration or renewal may list every producer a worker holds (about 30 bytes each). */
    private static final int MAX_REPORT_BODY = 64 * 1024 * 1024;

    private final Vertx vertx;
    private final BalancerConfig config;
    private final Balancer balancer;
    private final HttpService http;
    private final WorkerClient workers;
    private final StreamHandlers streams;
    private final NearHandlers near;
    private final AreaWatch areas;
    private final Access access;
    private final PhoneRelay phoneRelay;
    private final PhoneFrontDoor phones;
    /** The OsmAnd port of its own ({@code --osmand-port}), or null. */
    private final HttpService osmandHttp;
    private long sweepTimer = -1;
    /** How often a balancer sharing its state reads what the others changed. */
    static final long SHARED_STATE_POLL_MS = 250;
    private long expiryTimer = -1;
    private long feedTimer = -1;
    private boolean following;
    private boolean feedFailing;

    /** A balancer on its state file, with the configured strategy; not yet listening. */
    public static BalancerServer open(Vertx vertx, BalancerConfig config) {
        StateStore state = config.store().isSqlite() ? BalancerStore.open(config.stateFile(), config.recover())
                : PostgresBalancerStore.open(config.store().postgres());
        Balancer balancer = new Balancer(vertx, state, config.assignmentStrategy(), config.leaseInterval());
        return new BalancerServer(vertx, config, balancer);
    }

    public BalancerServer(Vertx vertx, BalancerConfig config, Balancer balancer) {
        this.vertx = vertx;
        this.config = config;
        this.balancer = balancer;
        this.http = new HttpService(vertx);
        this.access = config.security().access(balancer::keys);
        String own = access.clusterAuthorization();
        io.tophat.http.TlsConfig tls = config.security().tls();
        this.workers = new WorkerClient(vertx, own, tls);
        this.streams = new StreamHandlers(vertx, balancer, workers, config.streams(), own, tls);
        this.near = new NearHandlers(balancer, workers, access);
        this.areas = new AreaWatch(vertx, balancer.membership(), StreamHandlers.streamClient(vertx, config.streams(), tls),
                near, storedAreas(balancer), own);
        this.phoneRelay = new PhoneRelay(vertx, balancer, tls);
        this.phones = new PhoneFrontDoor(access, phoneRelay);
        this.osmandHttp = config.osmandPort() == null ? null : new HttpService(vertx);
    }

    /** Every route of the balancer; the consumers' {@code GET /get_data/{id}} is served ahead of the router. */
    private RouteTable routes() {
        SeedHandlers seed = new SeedHandlers(balancer, access);
        ProducerHandlers producers = new ProducerHandlers(balancer, access);
        MembershipHandlers members = new MembershipHandlers(balancer);
        HistoryHandlers history = new HistoryHandlers(balancer, workers);
        RouteTable table = new RouteTable(vertx).fastPrefix(SeedHandlers.DATA, seed::redirectFast);
        Router router = table.router();
        BodyHandler report = BodyHandler.create(false).setBodyLimit(MAX_REPORT_BODY);
        Handler<RoutingContext> cluster = access.cluster();
        router.get("/balancer/:port").handler(cluster).handler(seed::join);
        router.get("/worker/quit/:port").handler(cluster).handler(seed::leave);
        router.get("/register/:id").handler(seed::register);
        router.get("/get_data/:id").handler(access.consumers(Op.READ)).handler(seed::redirect);
        router.get("/api/v1/producers/:id").handler(access.consumers(Op.READ)).handler(producers::redirect);
        router.get("/api/v1/producers").handler(access.consumers(Op.READ)).handler(history::producers);
        router.get("/api/v1/near").handler(access.consumers(Op.NEAR)).handler(near::near);
        AreaHandlers area = new AreaHandlers(vertx, balancer, areas, config.streams());
        Handler<RoutingContext> nearing = access.consumers(Op.NEAR);
        // the credential is checked before a body is read: a route of its own, ahead of the body handler's
        router.post("/api/v1/areas").handler(nearing);
        router.post("/api/v1/areas").handler(BodyHandler.create(false).setBodyLimit(4 * 1024 * 1024)).handler(area::create);
        router.get("/api/v1/areas").handler(nearing).handler(area::list);
        router.get("/api/v1/areas/:name").handler(nearing).handler(area::show);
        router.delete("/api/v1/areas/:name").handler(nearing).handler(area::remove);
        router.get("/api/v1/areas/:name/stream").handler(access.consumers(Op.STREAM)).handler(area::stream);
        router.get("/api/v1/producers/:id/history").handler(access.consumers(HistoryRequest::operation))
                .handler(history::history);
        Handler<RoutingContext> streaming = access.consumers(Op.STREAM);
        router.get("/api/v1/producers/:id/stream").handler(streaming).handler(streams::sse);
        router.get("/api/v1/stream").handler(streaming).handler(streams::sse);
        router.get("/api/v1/producers/:id/ws").handler(streaming).handler(streams::webSocket);
        router.get("/api/v1/ws").handler(streaming).handler(streams::webSocket);
        router.delete("/api/v1/producers/:id").handler(access.consumers(Op.ERASE)).handler(history::erase);
        router.post("/api/v1/producers/:id/assignment").handler(producers::assign);
        router.post("/api/v1/workers").handler(cluster);
        router.post("/api/v1/workers").handler(report).handler(members::join);
        router.put("/api/v1/workers/:wid/lease").handler(cluster);
        router.put("/api/v1/workers/:wid/lease").handler(report).handler(members::renew);
        router.delete("/api/v1/workers/:wid").handler(cluster).handler(members::leave);
        router.post("/api/v1/workers/:wid/drain").handler(cluster).handler(members::drain);
        router.get("/api/v1/cluster").handler(cluster).handler(members::cluster);
        KeyHandlers keys = new KeyHandlers(balancer);
        BodyHandler small = BodyHandler.create(false).setBodyLimit(64 * 1024);
        router.post("/api/v1/keys").handler(cluster);
        router.post("/api/v1/keys").handler(small).handler(keys::create);
        router.get("/api/v1/keys").handler(cluster).handler(keys::list);
        router.delete("/api/v1/keys/:name").handler(cluster).handler(keys::revoke);
        BodyHandler osmandBody = BodyHandler.create(false).setBodyLimit(PhoneFrontDoor.MAX_OSMAND_BODY);
        router.get("/osmand").handler(osmandBody).handler(phones::osmand);
        router.post("/osmand").handler(osmandBody).handler(phones::osmand);
        BodyHandler ownTracksBody = BodyHandler.create(false).setBodyLimit(PhoneFrontDoor.MAX_OWNTRACKS_BODY);
        for (String path : java.util.List.of("/pub", "/owntracks")) {
            // the producer and its token are in the request's head: checked before the body is read
            router.post(path).handler(phones::ownTracksCaller);
            router.post(path).handler(ownTracksBody).handler(phones::ownTracks);
        }
        router.get("/health").handler(this::health);
        return table;
    }

    /** The OsmAnd port of its own: every path and method is an OsmAnd message, as Traccar's port 5055 takes. */
    private RouteTable osmandRoutes() {
        RouteTable table = new RouteTable(vertx);
        table.router().route().handler(BodyHandler.create(false).setBodyLimit(PhoneFrontDoor.MAX_OSMAND_BODY))
                .handler(phones::osmand);
        return table;
    }

    /** The areas the state holds; one it cannot read any more is left out, with a warning. */
    private static java.util.List<io.tophat.geo.Area> storedAreas(Balancer balancer) {
        java.util.List<io.tophat.geo.Area> list = new java.util.ArrayList<>();
        balancer.storedAreas().forEach((name, definition) -> {
            try {
                list.add(io.tophat.geo.Area.parse(io.tophat.http.Responses.MAPPER.readTree(definition)));
            } catch (java.io.IOException | RuntimeException e) {
                LOG.warn("the stored area {} cannot be read ({}); it is not watched", name, e.getMessage());
            }
        });
        return list;
    }

    /** 200 while the balancer keeps its state; 503 naming the problem once its state file is gone. */
    private void health(io.vertx.ext.web.RoutingContext rc) {
        String problem = balancer.stateProblem();
        if (problem == null) {
            Responses.json(rc.response(), 200, Map.of("status", "ok", "role", "balancer"));
        } else {
            rc.response().putHeader("Retry-After", "5");
            Responses.json(rc.response(), 503, Map.of("status", "state lost", "role", "balancer", "detail", problem));
        }
    }

    /** Listens and starts the lease expiry timer; completes with the bound port. */
    public Future<Integer> start() {
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        return http.start(routes(), config.host(), config.port(), instances, config.security().limits(),
                config.security().tls().server()).compose(port -> osmandHttp == null ? Future.succeededFuture(port)
                : osmandHttp.start(osmandRoutes(), config.host(), config.osmandPort(), instances,
                config.security().limits(), config.security().tls().server()).map(port)).onSuccess(port -> {
            areas.start();
            expiryTimer = vertx.setPeriodic(Membership.CHECK_EVERY.toMillis(), t -> balancer.expireLeases());
            sweepTimer = vertx.setPeriodic(10_000, t -> access.sweep());
            if (access.isOpen()) {
                LOG.warn("--auth none: anyone who can reach this balancer may register workers, move producers "
                        + "and read every producer's data");
            }
            if (balancer.sharesState()) {
                feedTimer = vertx.setPeriodic(SHARED_STATE_POLL_MS, t -> followOthers());
            }
            LOG.info("balancer listening on {}:{} ({}), strategy {}, lease {}, {} workers and {} producers remembered "
                    + "from {} in {} ms", config.host(), port, VertxRuntime.transport(vertx), balancer.strategyName(),
                    Durations.format(config.leaseInterval()), balancer.membership().all().size(),
                    balancer.assignments().size(), config.stateDescription(), balancer.loadMillis());
            if (config.recover() && balancer.sharesState()) {
                LOG.warn("--recover does nothing with a shared state: the database holds it");
            } else if (config.recover()) {
                LOG.warn("started with --recover: the state is empty on purpose; workers re-register and report the "
                        + "producers they hold, which rebuilds the assignments");
            }
        });
    }

    public int port() {
        return http.port();
    }

    /** The OsmAnd port of its own, or -1 when there is none. */
    public int osmandPort() {
        return osmandHttp == null ? -1 : osmandHttp.port();
    }

    public Balancer balancer() {
        return balancer;
    }

    /** Applies what the other balancers sharing the state decided (one poll at a time). */
    private void followOthers() {
        if (following) {
            return;
        }
        following = true;
        vertx.executeBlocking(balancer::othersChanges, false).onComplete(r -> {
            following = false;
            if (r.failed()) {
                if (!feedFailing) {
                    LOG.warn("cannot read the other balancers' changes ({}); retrying", r.cause().getMessage());
                }
                feedFailing = true;
                return;
            }
            if (feedFailing) {
                LOG.info("reading the other balancers' changes again");
            }
            feedFailing = false;
            for (BalancerStore.Change change : balancer.applyOthers(r.result())) {
                if (change instanceof BalancerStore.AreaSaved saved) {
                    try {
                        areas.add(io.tophat.geo.Area.parse(io.tophat.http.Responses.MAPPER.readTree(saved.definition())));
                    } catch (java.io.IOException | RuntimeException e) {
                        LOG.warn("area {} from another balancer cannot be read ({}); not watched", saved.name(), e.getMessage());
                    }
                } else if (change instanceof BalancerStore.AreaRemoved removed) {
                    areas.remove(removed.name());
                }
            }
        });
    }

    public Future<Void> stop() {
        if (expiryTimer >= 0) {
            vertx.cancelTimer(expiryTimer);
        }
        if (feedTimer >= 0) {
            vertx.cancelTimer(feedTimer);
        }
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
        areas.stop();
        workers.close();
        streams.close();
        phoneRelay.close();
        Future<Void> osmandStopped = osmandHttp == null ? Future.succeededFuture() : osmandHttp.stop();
        return osmandStopped.compose(v -> http.stop()).compose(v -> vertx.executeBlocking(() -> {
            balancer.close();
            return null;
        })).mapEmpty();
    }
}
