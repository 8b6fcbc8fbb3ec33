package io.tophat.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tophat.http.Responses;
import io.tophat.security.KeyRing;
import io.tophat.protocol.LeaseRenewal;
import io.tophat.protocol.WorkerLease;
import io.tophat.protocol.WorkerLoad;
import io.tophat.protocol.WorkerRegistration;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A worker's membership at one balancer: registers at start (retrying for a few seconds) with the producers it
 * holds, renews its lease with load figures and store health every lease interval (the balancer's), applies the
 * transfers each answer carries to its {@link Holdings} and acknowledges them in the next renewal, reports its
 * holdings when asked, registers again when the balancer has forgotten it, and says it quits at shutdown.
 * Renewal failures are logged once per outage; the worker keeps serving meanwhile.
 */
final class BalancerLink {
    private static final Logger LOG = LoggerFactory.getLogger(BalancerLink.class);
    private static final long REQUEST_TIMEOUT_MS = 2000;

    private final Vertx vertx;
    private final URI balancer;
    private final HttpClient http;
    private final WorkerRegistration registration;
    private final Supplier<WorkerLoad> load;
    private final LongSupplier storeFailingMs;
    private final LongSupplier commitKey;
    /** The commit key in the last message this balancer answered: what it missed of the store comes after it. */
    private volatile long heardKey;
    private final Consumer<WorkerLease> onLease;
    private final Holdings holdings = new Holdings();
    /** The Authorization header of every call, null in an open deployment. */
    private final String authorization;
    private volatile KeyRing keys = KeyRing.EMPTY;
    private volatile long keysVersion;
    private volatile WorkerLease lease;
    private volatile boolean draining;
    private volatile String ack;
    private volatile boolean reportWanted;
    private boolean outage;
    private long timer = -1;
    private long timerIntervalMs;
    private volatile boolean closed;
    /** A lease renewal is on its way. */
    private volatile boolean renewing;

    /**
     * {@code onLease} sees every lease answer (producer count, drain request) on an event loop, after its transfers
     * are applied to {@link #holdings()}.
     */
    BalancerLink(Vertx vertx, URI balancer, WorkerRegistration registration, Supplier<WorkerLoad> load,
                 LongSupplier storeFailingMs, LongSupplier commitKey, Consumer<WorkerLease> onLease,
                 String authorization, io.tophat.http.TlsConfig tls) {
        this.vertx = vertx;
        this.commitKey = commitKey;
        this.heardKey = registration.commitKey() == null ? 0 : registration.commitKey();
        this.authorization = authorization;
        this.balancer = balancer;
        this.registration = registration;
        this.load = load;
        this.storeFailingMs = storeFailingMs;
        this.onLease = onLease;
        this.http = vertx.createHttpClient(tls.client(new HttpClientOptions()
                .setConnectTimeout((int) REQUEST_TIMEOUT_MS).setKeepAlive(true)));
    }

    /** Registers, retrying until {@code patience} has passed; fails with a message naming the balancer. */
    Future<WorkerLease> register(Duration patience) {
        Promise<WorkerLease> result = Promise.promise();
        long deadline = System.nanoTime() + patience.toNanos();
        attemptRegistration(result, deadline);
        return result.future().onSuccess(this::startRenewing);
    }

    /** What this balancer has told the worker about each producer. */
    Holdings holdings() {
        return holdings;
    }

    /**
     * The registration with what the worker holds now, and the commit key the balancer last heard (what the worker
     * committed since it was forgotten comes after it); a new registration acknowledges nothing yet.
     */
    private Future<WorkerLease> sendRegistration() {
        ack = null;
        Map<String, Long> held = holdings.held();
        return send(HttpMethod.POST, "/api/v1/workers", registration.holding(held, heardKey), timeoutFor(held));
    }

    private void attemptRegistration(Promise<WorkerLease> result, long deadline) {
        sendRegistration().onSuccess(result::complete).onFailure(e -> {
            if (e instanceof Refused) {
                result.fail(new IllegalStateException("the balancer at " + balancer + " refused this worker: "
                        + e.getMessage()));
            } else if (System.nanoTime() > deadline) {
                result.fail(new IllegalStateException("cannot register with the balancer at " + balancer + ": "
                        + e.getMessage()));
            } else {
                vertx.setTimer(250, t -> attemptRegistration(result, deadline));
            }
        });
    }

    private void startRenewing(WorkerLease granted) {
        granted(granted);
        LOG.info("registered with the balancer at {} as {} ({}), lease every {} ms", balancer, granted.id(),
                granted.url(), granted.leaseIntervalMs());
    }

    /** Renews every lease interval the balancer gave; a new interval in an answer takes effect at once. */
    private void schedule(long intervalMs) {
        if (intervalMs <= 0 || intervalMs == timerIntervalMs || closed) {
            return;
        }
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        timerIntervalMs = intervalMs;
        timer = vertx.setPeriodic(intervalMs, t -> renew());
    }

    /** Renews now, outside the schedule (the store's health changed, say). */
    void renewSoon() {
        if (lease != null && !closed) {
            vertx.runOnContext(v -> renew());
        }
    }

    private void renew() {
        if (renewing) {
            return; // one renewal at a time: a balancer slow to answer (reading a large report) is not sent more
        }
        renewing = true;
        WorkerLease current = lease;
        long key = commitKey.getAsLong();
        Future<WorkerLease> sent;
        try {
            Map<String, Long> report = reportWanted ? holdings.held() : null;
            sent = send(HttpMethod.PUT, workerPath(current, "/lease"), new LeaseRenewal(load.get(), ack, report,
                    storeFailingMs.getAsLong(), keysVersion, key), timeoutFor(report));
        } catch (RuntimeException e) {
            renewing = false;
            throw e;
        }
        sent.onComplete(r -> renewing = false)
                .onSuccess(renewed -> {
                    heardKey = key;
                    granted(renewed);
                    recovered();
                    stillDraining(renewed);
                })
                .onFailure(e -> {
                    if (e instanceof UnknownWorker) {
                        LOG.warn("the balancer at {} no longer knows this worker; registering again with the {} "
                                + "producers it holds", balancer, holdings.held().size());
                        sendRegistration().onSuccess(l -> {
                            granted(l);
                            recovered();
                            stillDraining(l);
                        });
                    } else if (!outage) {
                        outage = true;
                        LOG.warn("cannot renew the lease at {}: {}; still serving, retrying every {} ms", balancer,
                                e.getMessage(), current.leaseIntervalMs());
                    }
                });
    }

    /** Applies an answer: its transfers first, then what it says; a lease answer also sets what to acknowledge. */
    private void granted(WorkerLease granted) {
        holdings.apply(granted);
        if (granted.keys() != null) {
            keys = KeyRing.ofGrants(granted.keys());
            keysVersion = granted.keysVersion();
        }
        if (granted.ackToken() != null) {
            ack = granted.ackToken();
            reportWanted = granted.report();
        }
        lease = granted;
        schedule(granted.leaseIntervalMs());
        onLease.accept(granted);
    }

    /** The consumer keys this balancer named in its last answer that carried them. */
    KeyRing keys() {
        return keys;
    }

    /** The balancer's lease interval, from its last answer. */
    long leaseIntervalMs() {
        WorkerLease current = lease;
        return current == null ? 1000 : current.leaseIntervalMs();
    }

    /** The producers the balancer counted on this worker at the last lease answer. */
    long producersAssigned() {
        WorkerLease current = lease;
        return current == null ? 0 : current.producers();
    }

    /**
     * A balancer keeps drain marks in memory: one that restarted (or forgot this worker) answers "not draining"
     * while this worker drains, and would hand producers back to it. Tell it again.
     */
    private void stillDraining(WorkerLease answered) {
        if (draining && !answered.draining()) {
            LOG.info("the balancer at {} no longer knows this worker drains; telling it again", balancer);
            drain();
        }
    }

    /** Tells the balancer to send no new producers here; completes (never fails) within the request timeout. */
    Future<Void> drain() {
        draining = true;
        WorkerLease current = lease;
        if (current == null) {
            return Future.succeededFuture();
        }
        return send(HttpMethod.POST, workerPath(current, "/drain"), null)
                .onSuccess(this::granted)
                .onFailure(e -> LOG.warn("could not tell the balancer at {} that this worker drains: {}", balancer,
                        e.getMessage()))
                .<Void>mapEmpty().otherwiseEmpty();
    }

    private void recovered() {
        if (outage) {
            outage = false;
            LOG.info("the balancer at {} answers again; lease renewed", balancer);
        }
    }

    /** Tells the balancer this worker leaves; completes (never fails) within the request timeout. */
    Future<Void> quit() {
        closed = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        WorkerLease current = lease;
        if (current == null) {
            return Future.succeededFuture();
        }
        return send(HttpMethod.DELETE, workerPath(current, ""), null)
                .onSuccess(l -> LOG.info("left the balancer at {}", balancer))
                .onFailure(e -> LOG.warn("could not tell the balancer at {} that this worker quits: {}", balancer,
                        e.getMessage()))
                .<Void>mapEmpty().otherwiseEmpty()
                .eventually(() -> http.close());
    }

    /** The path of this worker at the balancer; the id is encoded (an IPv6 host has brackets and colons). */
    private static String workerPath(WorkerLease lease, String suffix) {
        return "/api/v1/workers/" + URLEncoder.encode(lease.id(), StandardCharsets.UTF_8) + suffix;
    }

    /**
     * How long a call may take: a report of every producer held is read, checked and written by the balancer
     * before it answers, a second or more per million producers on a busy one.
     */
    private static long timeoutFor(Map<String, Long> report) {
        return report == null ? REQUEST_TIMEOUT_MS : REQUEST_TIMEOUT_MS + report.size() / 50;
    }

    private Future<WorkerLease> send(HttpMethod method, String path, Object body) {
        return send(method, path, body, REQUEST_TIMEOUT_MS);
    }

    private Future<WorkerLease> send(HttpMethod method, String path, Object body, long timeoutMs) {
        Buffer payload;
        try {
            payload = body == null ? Buffer.buffer() : Buffer.buffer(Responses.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            return Future.failedFuture(e);
        }
        RequestOptions options = new RequestOptions().setMethod(method)
                .setAbsoluteURI(balancer.resolve(path).toString())
                .setTimeout(timeoutMs)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (authorization != null) {
            options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
        }
        return http.request(options)
                .compose(req -> req.send(payload))
                .compose(resp -> resp.body().compose(b -> {
                    if (resp.statusCode() == 404) {
                        return Future.failedFuture(new UnknownWorker());
                    }
                    if (resp.statusCode() == 401) {
                        return Future.failedFuture(new Refused("it does not take this worker's cluster secret "
                                + "(--cluster-secret-file): give every balancer and worker the same one"));
                    }
                    if (resp.statusCode() / 100 != 2) {
                        return Future.failedFuture(new IllegalStateException(
                                "answered " + resp.statusCode() + " " + b.toString()));
                    }
                    if (method == HttpMethod.DELETE) {
                        return Future.succeededFuture(lease);
                    }
                    return Future.succeededFuture(decode(b));
                }));
    }

    private static WorkerLease decode(Buffer body) {
        try {
            return Responses.ID_KEYED.readValue(body.getBytes(), WorkerLease.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the balancer answered something that is not a lease: " + e.getMessage(), e);
        }
    }

    /** The balancer answered 401: the cluster secret is not the balancer's. */
    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The balancer answered 404: it does not know this worker (it restarted without it, or marked it dead). */
    private static final class UnknownWorker extends RuntimeException {
        UnknownWorker() {
            super("unknown worker", null, false, false);
        }
    }
}
