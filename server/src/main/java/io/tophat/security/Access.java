package io.tophat.security;

import io.tophat.http.ApiException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Supplier;

/**
 * One process's door: checks the credential a request carries against what the endpoint needs, and the request
 * rates, and answers 401 (no or wrong credential), 403 (a key outside its scope) or 429 (too many requests, with
 * Retry-After), each a JSON error that names what to send and never echoes the credential. A credential comes as
 * {@code Authorization: Bearer ...}, or as {@code ?token=...} for clients that cannot set headers.
 *
 * <ul>
 *   <li>the cluster secret: calls between balancers and workers, and operators; reaches everything consumers do;</li>
 *   <li>a producer token: that producer's registration, heartbeats and batches, and nothing else;</li>
 *   <li>a consumer key: the operations and producers of its scope.</li>
 * </ul>
 * With {@code --auth none} every endpoint is open; the producer rate limit applies either way.
 */
public final class Access {
    public static final String CALLER = "tophat.caller";
    private static final String REALM = "Bearer realm=\"tophat\"";

    private final AuthConfig auth;
    private final ProducerTokens tokens;
    private final RateLimit producerRate;
    private final Supplier<KeyRing> keys;
    private final RateLimiter producerBuckets = new RateLimiter();
    private final RateLimiter keyBuckets = new RateLimiter();

    public Access(AuthConfig auth, RateLimit producerRate, Supplier<KeyRing> keys) {
        this.auth = auth;
        this.tokens = auth.open() ? null : new ProducerTokens(auth.device());
        this.producerRate = producerRate;
        this.keys = keys;
    }

    /** An open door (the report's protocol, no rate limit): for embedding and tests. */
    public static Access open() {
        return new Access(AuthConfig.OPEN, RateLimit.NONE, () -> KeyRing.EMPTY);
    }

    public boolean isOpen() {
        return auth.open();
    }

    /** The Authorization header for calls to the cluster's other processes; null when open. */
    public String clusterAuthorization() {
        return auth.clusterAuthorization();
    }

    /** The credential a request carries, or null. */
    public static String credential(HttpServerRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null) {
            return header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
        }
        return request.getParam("token");
    }

    /** Whether the request carries the cluster secret (always true when open). */
    public boolean fromCluster(HttpServerRequest request) {
        return auth.open() || auth.cluster().matches(credential(request));
    }

    /** @throws ApiException 401 unless the request carries the cluster secret */
    public void requireCluster(HttpServerRequest request) {
        if (!fromCluster(request)) {
            throw unauthorized("this endpoint is for the cluster's own processes and its operators: send "
                    + "Authorization: Bearer <cluster secret>");
        }
    }

    /**
     * Checks a producer's own request (registration, heartbeat, batch): its token, then its rate.
     *
     * @throws ApiException 401 without a valid token for this producer, 429 over its rate
     */
    public void requireProducer(HttpServerRequest request, String producer) {
        requireProducer(producer, credential(request));
    }

    /**
     * As {@link #requireProducer(HttpServerRequest, String)}, for a token a phone app presented its own way (the
     * OsmAnd {@code token} parameter, the OwnTracks Basic password).
     */
    public void requireProducer(String producer, String presented) {
        if (!auth.open() && !tokens.valid(producer, presented)) {
            throw unauthorized("send this producer's token as Authorization: Bearer TOKEN, or ?token=TOKEN "
                    + "(tophat token ID --device-secret-file FILE prints it)");
        }
        int wait = producerBuckets.take(producer, producerRate, System.nanoTime());
        if (wait > 0) {
            throw new ApiException(429, "too many requests", "a producer may send " + rateText(producerRate)
                    + "; retry after " + wait + " s", wait);
        }
    }

    /**
     * Checks a consumer's request for {@code op}, on {@code producer}'s data when it names one (null otherwise).
     *
     * @return who asks: its scope filters what lists and streams return
     * @throws ApiException 401 without a known key or the cluster secret, 403 outside the key's scope, 429 over
     *                      its rate
     */
    public Caller requireConsumer(HttpServerRequest request, Op op, String producer) {
        if (auth.open()) {
            return Caller.ANYONE;
        }
        String credential = credential(request);
        if (credential == null) {
            throw unauthorized("send a consumer key as Authorization: Bearer KEY (tophat keys add makes one)");
        }
        if (auth.cluster().matches(credential)) {
            return Caller.CLUSTER;
        }
        ConsumerKey key = keys.get().find(credential);
        if (key == null) {
            throw unauthorized("the key is unknown or revoked");
        }
        if (!key.scope().can(op)) {
            throw new ApiException(403, "forbidden", "the key '" + key.name() + "' lacks the operation " + op.flag()
                    + " (its operations: " + key.grant().ops() + ")", 0);
        }
        if (producer != null && !key.scope().allows(producer)) {
            throw new ApiException(403, "forbidden", "the key '" + key.name() + "' does not reach this producer", 0);
        }
        int wait = keyBuckets.take(key.name(), key.scope().rate(), System.nanoTime());
        if (wait > 0) {
            throw new ApiException(429, "too many requests", "the key '" + key.name() + "' may make "
                    + rateText(key.scope().rate()) + "; retry after " + wait + " s", wait);
        }
        return Caller.consumer(key);
    }

    /** A route handler letting through only the cluster's own calls. */
    public Handler<RoutingContext> cluster() {
        return rc -> {
            requireCluster(rc.request());
            rc.put(CALLER, Caller.CLUSTER);
            rc.next();
        };
    }

    /**
     * A route handler letting through consumers allowed {@code op}, on the producer of the path's {@code id} when
     * it has one; the caller is left in the routing context ({@link #caller}).
     */
    public Handler<RoutingContext> consumers(Op op) {
        return consumers(rc -> op);
    }

    /** The same, with the operation read from the request (a history page or an export). */
    public Handler<RoutingContext> consumers(java.util.function.Function<RoutingContext, Op> op) {
        return rc -> {
            rc.put(CALLER, requireConsumer(rc.request(), op.apply(rc), rc.pathParam("id")));
            rc.next();
        };
    }

    /** The caller a {@link #consumers} or {@link #cluster} handler let through. */
    public static Caller caller(RoutingContext rc) {
        Caller caller = rc.get(CALLER);
        return caller == null ? Caller.ANYONE : caller;
    }

    /**
     * The Authorization header for a call made on this request's behalf to a worker: the consumer's own key when
     * a key let it through (so the worker applies the same scope), else the cluster secret (null when open).
     */
    public String onBehalfOf(RoutingContext rc) {
        if (caller(rc).key() == null) {
            return clusterAuthorization();
        }
        return "Bearer " + credential(rc.request());
    }

    /** Drops the rate buckets that are full again; run every few seconds. */
    public void sweep() {
        long now = System.nanoTime();
        producerBuckets.sweep(now);
        keyBuckets.sweep(now);
    }

    private static ApiException unauthorized(String detail) {
        return new ApiException(401, "unauthorized", detail, 0);
    }

    private static String rateText(RateLimit limit) {
        double rate = limit.perSecond();
        String perSecond = rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
        return perSecond + " requests a second (bursts of " + limit.burst() + ")";
    }

    /** What {@code WWW-Authenticate} says on a 401. */
    public static String challenge() {
        return REALM;
    }
}
