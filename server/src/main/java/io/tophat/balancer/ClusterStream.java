package io.tophat.balancer;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.SseReader;
import io.tophat.stream.SseChunks;
import io.tophat.stream.StreamFilter;
import io.tophat.stream.StreamToken;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole cluster's stored heartbeats of some producers, as one stream: a subscription to every live worker's
 * stream, each resumed from this stream's token (which holds a position in every store), merged as they arrive.
 * A worker that joins is subscribed to within {@link #RECONCILE_MS} ms; a worker whose stream ends (it restarted, it
 * was killed and came back) is subscribed to again from the token, so what its store committed meanwhile is
 * replayed, not lost. A heartbeat stored in two stores (a retry after a fail-over: the same producer, time and
 * seq) is delivered once, as history counts it once. Everything runs on the event loop it was started on.
 */
final class ClusterStream {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterStream.class);
    static final long RECONCILE_MS = 500;
    /** The copies remembered for de-duplication: a retry arrives within moments of its first copy. */
    private static final int RECENT_COPIES = 8192;

    /** Where the merged stream goes. */
    interface Listener {
        /** A stored heartbeat, its record as the worker sent it, and the stream's token after it. */
        void heartbeat(Heartbeat heartbeat, String record, StreamToken after);

        /** The token moved without an event (a worker's stream started at a store's current end). */
        void position(StreamToken at);
    }

    private final Vertx vertx;
    private final Membership membership;
    private final HttpClient http;
    private final StreamFilter filter;
    private final Listener listener;
    private final Map<String, Upstream> upstreams = new HashMap<>();
    private final Map<String, Boolean> recentCopies = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > RECENT_COPIES;
        }
    };
    private StreamToken position;
    /**
     * Per store the stream's token did not name when it started: a commit key its workers reported before that,
     * after which it committed everything since (see {@link #from}).
     */
    private final Map<String, Long> reportedAtStart = new HashMap<>();
    private long startedNanos;
    private boolean started;
    private long timer = -1;
    private boolean stopped;

    /** The Authorization header of the subscriptions to workers (null when open). */
    private final String authorization;

    ClusterStream(Vertx vertx, Membership membership, HttpClient http, String authorization, StreamFilter filter,
                  StreamToken from, Listener listener) {
        this.authorization = authorization;
        this.vertx = vertx;
        this.membership = membership;
        this.http = http;
        this.filter = filter;
        this.position = from;
        this.listener = listener;
    }

    void start() {
        startedNanos = System.nanoTime();
        for (Member m : membership.all()) {
            if (m.reportedKey() >= 0 && !position.positions().containsKey(storeOf(m))) {
                reportedAtStart.merge(storeOf(m), m.reportedKey(), Math::min);
            }
        }
        reconcile();
        started = true;
        timer = vertx.setPeriodic(RECONCILE_MS, t -> reconcile());
    }

    void stop() {
        stopped = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        upstreams.values().forEach(Upstream::close);
        upstreams.clear();
    }

    StreamToken position() {
        return position;
    }

    /** Workers this stream is subscribed to right now. */
    int upstreams() {
        return upstreams.size();
    }

    /**
     * Follows one live worker per store: workers sharing a database each stream all of its commits, so following
     * two of them would bring every heartbeat twice; when the one followed dies, another with the store takes over
     * from the token.
     */
    private void reconcile() {
        if (stopped) {
            return;
        }
        upstreams.values().removeIf(up -> {
            Member m = membership.get(up.member.id());
            boolean gone = m == null || !m.alive();
            if (gone) {
                up.close();
            }
            return gone;
        });
        java.util.Set<String> followed = new java.util.HashSet<>();
        upstreams.values().forEach(up -> followed.add(storeOf(up.member)));
        for (Member m : membership.all()) {
            if (m.alive() && !upstreams.containsKey(m.id()) && followed.add(storeOf(m))) {
                long from = from(m);
                if (from >= 0) {
                    position = position.with(storeOf(m), from);
                }
                Upstream up = new Upstream(m);
                upstreams.put(m.id(), up);
                up.open();
            }
        }
    }

    /**
     * Where to subscribe to a worker whose store the token does not name, so that nothing its store committed since
     * this stream started is missed: the workers followed at the start, from their store's end (the stream begins
     * there); a store known then (its worker was away, or its first subscription failed), from the commit key its
     * workers last reported before the start; a worker that joined since, from the key it reported joining (what
     * it committed since it started). -1: from the store's end (a worker that reports no keys).
     */
    private long from(Member m) {
        String store = storeOf(m);
        if (position.positions().containsKey(store) || !started) {
            return -1;
        }
        Long known = reportedAtStart.get(store);
        if (known != null) {
            return known;
        }
        return m.joinedNanos() - startedNanos > 0 ? m.joinKey() : -1;
    }

    private static String storeOf(Member m) {
        String store = m.worker().store();
        return store != null ? store : "worker:" + m.id();
    }

    private void frame(Upstream from, String event, String id, String data) {
        if (stopped || from.closed) {
            return;
        }
        if ("lagged".equals(event) || "error".equals(event)) {
            // this balancer fell behind the worker, or its store failed a replay: subscribe again from the token
            from.close();
            upstreams.remove(from.member.id(), from);
            return;
        }
        if (id == null) {
            return;
        }
        StreamToken at;
        try {
            at = StreamToken.decode(id);
        } catch (IllegalArgumentException e) {
            LOG.warn("worker {} sent a stream frame with a token this balancer cannot read; dropping its stream",
                    from.member.url());
            from.close();
            return;
        }
        for (Map.Entry<String, Long> p : at.positions().entrySet()) {
            if (p.getValue() <= position.keyIn(p.getKey()) && position.positions().containsKey(p.getKey())) {
                return; // delivered already (a replay overlapping what came live before a reconnect)
            }
            position = position.with(p.getKey(), p.getValue());
        }
        if (!"heartbeat".equals(event) || data == null) {
            listener.position(position);
            return;
        }
        Heartbeat hb;
        try {
            hb = HeartbeatJson.decode(data.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.warn("worker {} streamed a record this balancer cannot read: {}", from.member.url(), e.getMessage());
            listener.position(position);
            return;
        }
        if (hb.seq() != null && recentCopies.put(hb.producer() + '|' + hb.time() + '|' + hb.seq(), Boolean.TRUE) != null) {
            listener.position(position);
            return;
        }
        if (!filter.matches(hb.producer())) {
            listener.position(position); // outside the subscriber's scope
            return;
        }
        listener.heartbeat(hb, data, position);
    }

    /** One worker's stream. */
    private final class Upstream {
        private final Member member;
        private HttpClientRequest request;
        private boolean closed;

        Upstream(Member member) {
            this.member = member;
        }

        void open() {
            StringBuilder uri = new StringBuilder(member.url()).append("/api/v1/stream?after=")
                    .append(position.encode());
            if (!filter.all()) {
                uri.append("&producers=").append(URLEncoder.encode(filter.param(), StandardCharsets.UTF_8));
            }
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(uri.toString())
                    .putHeader("Accept", "text/event-stream");
            if (authorization != null) {
                options.putHeader("Authorization", authorization);
            }
            http.request(options)
                    .compose(req -> {
                        request = req;
                        if (closed) {
                            req.reset();
                        }
                        return req.send();
                    })
                    .onSuccess(resp -> {
                        if (closed) {
                            return;
                        }
                        if (resp.statusCode() != 200) {
                            LOG.debug("worker {} answered a stream subscription with {}", member.url(), resp.statusCode());
                            ended();
                            return;
                        }
                        SseReader reader = new SseReader((event, id, data) -> frame(this, event, id, data));
                        resp.handler(SseChunks.into(reader));
                        resp.endHandler(v -> ended());
                        resp.exceptionHandler(e -> ended());
                    })
                    .onFailure(e -> ended());
        }

        /** The worker's stream ended: the next reconcile subscribes again, from the token. */
        private void ended() {
            if (!closed) {
                closed = true;
                upstreams.remove(member.id(), this);
            }
        }

        void close() {
            closed = true;
            if (request != null) {
                request.reset();
            }
        }
    }
}
