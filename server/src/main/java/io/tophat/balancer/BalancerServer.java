package io.tophat.balancer;

import io.tophat.http.ApiException;
import io.tophat.http.ErrorResponder;
import io.tophat.http.HttpService;
import io.tophat.http.VertxRuntime;
import io.tophat.http.Responses;
import io.tophat.protocol.ProducerId;
import io.tophat.protocol.WorkerLoad;
import io.tophat.protocol.WorkerRegistration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The balancer's HTTP face: the seed protocol and API v1 over one {@link Balancer}. Redirects are answered
 * from memory; registrations are answered once written to the balancer's state file.
 */
public final class BalancerServer {
    private static final Logger LOG = LoggerFactory.getLogger(BalancerServer.class);
    private static final long DEFAULT_LEASE_MS = 1000;
    private static final int MAX_CONTROL_BODY = 16 * 1024;
    private static final String SEED_DATA = "/get_data/";

    private final Vertx vertx;
    private final BalancerConfig config;
    private final Balancer balancer;
    private final HttpService http;
    private long expiryTimer = -1;

    /** A balancer on its state file, with the configured strategy; not yet listening. */
    public static BalancerServer open(Vertx vertx, BalancerConfig config) {
        Balancer balancer = new Balancer(vertx, BalancerStore.open(config.stateFile()), config.assignmentStrategy());
        return new BalancerServer(vertx, config, balancer);
    }

    public BalancerServer(Vertx vertx, BalancerConfig config, Balancer balancer) {
        this.vertx = vertx;
        this.config = config;
        this.balancer = balancer;
        this.http = new HttpService(vertx);
    }

    private Router routes() {
        Router router = Router.router(vertx);
        BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_CONTROL_BODY);
        router.get("/balancer/:port").handler(this::seedJoin);
        router.get("/worker/quit/:port").handler(this::seedLeave);
        router.get("/register/:id").handler(this::seedRegister);
        router.get("/get_data/:id").handler(this::seedRedirect);
        router.get("/api/v1/producers/:id").handler(this::redirect);
        router.get("/api/v1/producers/:id/history").handler(this::redirect);
        router.post("/api/v1/producers/:id/assignment").handler(this::register);
        router.post("/api/v1/workers").handler(body).handler(this::join);
        router.put("/api/v1/workers/:wid/lease").handler(body).handler(this::renew);
        router.delete("/api/v1/workers/:wid").handler(this::leave);
        router.post("/api/v1/workers/:wid/drain").handler(this::drain);
        router.get("/api/v1/cluster").handler(this::cluster);
        router.get("/health").handler(rc -> Responses.json(rc.response(), 200,
                Map.of("status", "ok", "role", "balancer")));
        return ErrorResponder.install(router);
    }

    // --- seed protocol -------------------------------------------------------------------------------

    private void seedJoin(RoutingContext rc) {
        int port = port(rc);
        String url = "http://" + WorkerAddress.forUrl(seedHost(rc)) + ":" + port;
        Worker worker = new Worker(Worker.idOf(url), url, null, 0, System.currentTimeMillis());
        balancer.join(worker).onSuccess(m -> Responses.text(rc.response(), 200, url)).onFailure(e -> fail(rc, e));
    }

    private void seedLeave(RoutingContext rc) {
        String id = Worker.idOf("http://" + WorkerAddress.forUrl(seedHost(rc)) + ":" + port(rc));
        balancer.leave(id).onSuccess(known -> {
            if (known) {
                Responses.text(rc.response(), 200, "Worker " + id + " has left");
            } else {
                rc.fail(ApiException.badRequest("Worker does not exist", "no worker registered as " + id));
            }
        }).onFailure(e -> fail(rc, e));
    }

    private void seedRegister(RoutingContext rc) {
        String id = producerId(rc);
        assign(id, rc, true).onSuccess(a -> Responses.text(rc.response(), 200, balancer.member(a.workerId()).url()))
                .onFailure(e -> fail(rc, e));
    }

    private void seedRedirect(RoutingContext rc) {
        seedRedirect(producerId(rc), rc.response());
    }

    private void seedRedirect(String id, HttpServerResponse response) {
        Route route = balancer.route(id);
        if (route instanceof Route.To to) {
            Responses.redirect(response, 302, to.workerUrl() + SEED_DATA + id);
        } else {
            ErrorResponder.send(response, routeFailure(id, route, true));
        }
    }

    /**
     * The consumers' hot path, {@code GET /get_data/{id}} with a plain id, answered ahead of the router; an id
     * with escapes or a slash goes to the router, which decodes it.
     */
    private boolean seedRedirectEndpoint(HttpServerRequest request) {
        String path = request.path();
        if (request.method() != HttpMethod.GET || path == null || !path.startsWith(SEED_DATA)
                || path.indexOf('%', SEED_DATA.length()) >= 0 || path.indexOf('/', SEED_DATA.length()) >= 0) {
            return false;
        }
        try {
            seedRedirect(validProducerId(path.substring(SEED_DATA.length())), request.response());
        } catch (ApiException e) {
            ErrorResponder.send(request.response(), e);
        }
        return true;
    }

    // --- API v1 ---------------------------------------------------------------------------------------

    private void redirect(RoutingContext rc) {
        String id = producerId(rc);
        Route route = balancer.route(id);
        if (route instanceof Route.To to) {
            String query = rc.request().query();
            Responses.redirect(rc.response(), 307, to.workerUrl() + rc.request().path()
                    + (query == null ? "" : "?" + query));
        } else {
            rc.fail(routeFailure(id, route, false));
        }
    }

    private void register(RoutingContext rc) {
        String id = producerId(rc);
        assign(id, rc, false).onSuccess(a -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("producer", a.producer());
            body.put("worker", balancer.member(a.workerId()).url());
            body.put("epoch", a.epoch());
            Responses.json(rc.response(), 200, body);
        }).onFailure(e -> fail(rc, e));
    }

    private void join(RoutingContext rc) {
        WorkerRegistration reg = readBody(rc, WorkerRegistration.class);
        if (reg == null) {
            throw ApiException.unprocessable("invalid registration", "send a JSON object {\"url\"} or {\"port\"}");
        }
        String url = reg.url();
        if (url == null || url.isBlank()) {
            if (reg.port() < 1 || reg.port() > 65535) {
                throw ApiException.unprocessable("invalid registration", "give url, or a port between 1 and 65535");
            }
            url = "http://" + WorkerAddress.forUrl(sourceHost(rc)) + ":" + reg.port();
        } else {
            String problem = WorkerAddress.urlProblem(url);
            if (problem != null) {
                throw ApiException.unprocessable("invalid registration", problem);
            }
            url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
        long lease = reg.leaseIntervalMs() > 0 ? reg.leaseIntervalMs() : DEFAULT_LEASE_MS;
        Worker worker = new Worker(Worker.idOf(url), url, reg.store(), lease, System.currentTimeMillis());
        balancer.join(worker).onSuccess(m -> Responses.json(rc.response(), 200, balancer.lease(m)))
                .onFailure(e -> fail(rc, e));
    }

    private void renew(RoutingContext rc) {
        String wid = rc.pathParam("wid");
        if (balancer.member(wid) == null) {
            throw ApiException.notFound("unknown worker", "no worker " + wid + "; register again");
        }
        Buffer body = rc.body().buffer();
        WorkerLoad load = body == null || body.length() == 0 ? null : readBody(rc, WorkerLoad.class);
        if (!balancer.renew(wid, load)) {
            throw ApiException.notFound("unknown worker", "no worker " + wid + "; register again");
        }
        Responses.json(rc.response(), 200, balancer.lease(balancer.member(wid)));
    }

    private void drain(RoutingContext rc) {
        String wid = rc.pathParam("wid");
        if (!balancer.drain(wid)) {
            throw ApiException.notFound("unknown worker", "no worker " + wid);
        }
        Responses.json(rc.response(), 200, balancer.peekLease(balancer.member(wid)));
    }

    private void leave(RoutingContext rc) {
        String wid = rc.pathParam("wid");
        balancer.leave(wid).onSuccess(known -> {
            if (known) {
                rc.response().setStatusCode(204).end();
            } else {
                rc.fail(ApiException.notFound("unknown worker", "no worker " + wid));
            }
        }).onFailure(e -> fail(rc, e));
    }

    private void cluster(RoutingContext rc) {
        List<Map<String, Object>> workers = new ArrayList<>();
        long now = System.nanoTime();
        for (Member m : balancer.membership().all()) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("id", m.id());
            w.put("url", m.url());
            w.put("alive", m.alive());
            w.put("assignable", m.assignable());
            w.put("draining", m.draining());
            w.put("producers", balancer.held(m.id()));
            w.put("leased", m.worker().leased());
            w.put("last_renewal_ms_ago", (now - m.lastRenewalNanos()) / 1_000_000);
            w.put("store", m.worker().store());
            w.put("load", m.load());
            workers.add(w);
        }
        workers.sort((a, b) -> ((String) a.get("id")).compareTo((String) b.get("id")));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("strategy", balancer.strategyName());
        body.put("producers", balancer.assignments().size());
        body.put("workers", workers);
        Responses.json(rc.response(), 200, body);
    }

    // --- helpers --------------------------------------------------------------------------------------

    private Future<Assignment> assign(String producer, RoutingContext rc, boolean seed) {
        String failed = rc.queryParams().get("failed");
        try {
            return balancer.assign(producer, failed == null || failed.isBlank() ? null : validUrl(failed));
        } catch (NoWorkersException e) {
            String detail = "no live worker can take producer " + producer + "; start a worker or retry shortly";
            return Future.failedFuture(seed ? ApiException.badRequest(e.getMessage(), detail)
                    : ApiException.unavailable(e.getMessage(), detail, 1));
        }
    }

    private static String validUrl(String url) {
        if (WorkerAddress.urlProblem(url) != null) {
            throw ApiException.badRequest("invalid failed worker", "failed must be a worker URL such as http://host:6000");
        }
        return url;
    }

    /** Fails the request; a state file that cannot be written is a 503 the client may retry. */
    private static void fail(RoutingContext rc, Throwable e) {
        if (e instanceof StateWriteException) {
            LOG.error("{}", e.getMessage());
            rc.fail(ApiException.unavailable("balancer state unavailable", e.getMessage(), 1));
        } else {
            rc.fail(e);
        }
    }

    private static ApiException routeFailure(String id, Route route, boolean seed) {
        if (route instanceof Route.Unavailable u) {
            return ApiException.unavailable("Producer's worker is down", "the worker " + u.deadWorker()
                    + " of producer " + id + " is dead; the producer will move to a live worker", (int) u.retryAfterSeconds());
        }
        return seed ? ApiException.badRequest("Producer does not exist", "no producer " + id + " has registered")
                : ApiException.notFound("unknown producer", "no producer " + id + " has registered");
    }

    private static String producerId(RoutingContext rc) {
        return validProducerId(rc.pathParam("id"));
    }

    private static String validProducerId(String id) {
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw ApiException.badRequest("invalid producer id", problem);
        }
        return id;
    }

    private static int port(RoutingContext rc) {
        String raw = rc.pathParam("port");
        try {
            int port = Integer.parseInt(raw);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("invalid port", "the port must be a number between 1 and 65535");
    }

    private static String sourceHost(RoutingContext rc) {
        return rc.request().remoteAddress().hostAddress();
    }

    /** The seed protocol's worker host: the {@code host} parameter when given, else the request's source address. */
    private static String seedHost(RoutingContext rc) {
        String host = rc.queryParams().get("host");
        if (host == null || host.isBlank()) {
            return sourceHost(rc);
        }
        String problem = WorkerAddress.hostProblem(host);
        if (problem != null) {
            throw ApiException.badRequest("invalid host", problem);
        }
        return host;
    }

    private static <T> T readBody(RoutingContext rc, Class<T> type) {
        Buffer body = rc.body().buffer();
        if (body == null || body.length() == 0) {
            throw ApiException.badRequest("empty body", "send a JSON object");
        }
        try {
            return Responses.MAPPER.readValue(body.getBytes(), type);
        } catch (IOException e) {
            throw ApiException.badRequest("malformed JSON", e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** Listens and starts the lease expiry timer; completes with the bound port. */
    public Future<Integer> start() {
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        return http.start(this::seedRedirectEndpoint, routes(), config.host(), config.port(), instances).onSuccess(port -> {
            expiryTimer = vertx.setPeriodic(Membership.CHECK_EVERY.toMillis(), t -> balancer.expireLeases());
            LOG.info("balancer listening on {}:{} ({}), strategy {}, {} workers and {} producers remembered from {}",
                    config.host(), port, VertxRuntime.transport(vertx), balancer.strategyName(), balancer.membership().all().size(),
                    balancer.assignments().size(), config.stateFile());
        });
    }

    public int port() {
        return http.port();
    }

    public Balancer balancer() {
        return balancer;
    }

    public Future<Void> stop() {
        if (expiryTimer >= 0) {
            vertx.cancelTimer(expiryTimer);
        }
        return http.stop().compose(v -> vertx.executeBlocking(() -> {
            balancer.close();
            return null;
        })).mapEmpty();
    }
}
