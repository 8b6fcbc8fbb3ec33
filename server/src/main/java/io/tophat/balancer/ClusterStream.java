package io.tophat.balancer;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.SseReader;
import io.tophat.stream.SseChunks;
import io.tophat.stream.StreamFilter;
import io.tophat.stream.StreamToken;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The whole cluster's stored heartbeats of some producers, as one stream: a subscription to every live worker's
 * stream, each resumed from this stream's token (which holds a position in every store), merged as they arrive.
 * A worker that joins is subscribed to within {@link #RECONCILE_MS} ms, from the first heartbeat it took; a worker
 * whose stream ends (it restarted, it was killed and came back) is subscribed to again from the token, so what its
 * store committed meanwhile is replayed, not lost. While a store that may hold the stream's producers has no live
 * worker, or is back but has not yet given what it held, the stream is incomplete and the listener is told which
 * workers it waits for; it is told again when that changes, and when nothing is missing any more. A heartbeat
 * stored in two stores (a retry after a fail-over: the same producer, time and seq) is delivered once, as history
 * counts it once. Everything runs on the event loop it was started on.
 */
final class ClusterStream {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterStream.class);
    static final long RECONCILE_MS = 500;
    /** The copies remembered for de-duplication: a retry arrives within moments of its first copy. */
    private static final int RECENT_COPIES = 8192;

    /**
     * Whether a subscriber whose token is {@code at} has had a copy of {@code heartbeat} (the same producer, time and
     * seq: a retry) from a store other than {@code store}: one that holds it at or before its key in the token.
     */
    interface Copies {
        Copies NONE = (heartbeat, store, at) -> Future.succeededFuture(false);

        Future<Boolean> deliveredBefore(Heartbeat heartbeat, String store, StreamToken at);
    }

    /** Where the merged stream goes. */
    interface Listener {
        /** A stored heartbeat, its record as the worker sent it, and the stream's token after it. */
        void heartbeat(Heartbeat heartbeat, String record, StreamToken after);

        /** The token moved without an event (a worker's stream started at a store's current end). */
        void position(StreamToken at);

        /**
         * Stores the stream cannot deliver yet, named by their workers ({@code host:port}, sorted): none is live,
         * or one came back and is still replaying what it held. Called when the set of such stores changes.
         */
        default void incomplete(List<String> missing) {
        }

        /** Nothing is missing any more: after {@link #incomplete}, every store is followed and has given its rest. */
        default void complete() {
        }
    }

    private final Vertx vertx;
    private final Membership membership;
    private final Function<String, Set<String>> storesOf;
    private final Copies copies;
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
    /** The stores last said to be missing, each with the workers that name it; empty: complete. */
    private SortedMap<String, SortedSet<String>> missing = new TreeMap<>();
    private long timer = -1;
    private boolean stopped;

    /** The Authorization header of the subscriptions to workers (null when open). */
    private final String authorization;

    /**
     * @param storesOf the stores that ever held a producer's heartbeats (which stores a missing one matters to)
     * @param copies   looks for copies of a heartbeat a returning store held, in the other stores
     */
    ClusterStream(Vertx vertx, Membership membership, Function<String, Set<String>> storesOf, Copies copies,
                  HttpClient http, String authorization, StreamFilter filter, StreamToken from, Listener listener) {
        this.authorization = authorization;
        this.vertx = vertx;
        this.membership = membership;
        this.storesOf = storesOf;
        this.copies = copies;
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
        Set<String> followed = new HashSet<>();
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
        SortedMap<String, SortedSet<String>> now = missingNow();
        if (!now.keySet().equals(missing.keySet())) {
            missing = now;
            if (now.isEmpty()) {
                listener.complete();
            } else {
                SortedSet<String> names = new TreeSet<>();
                now.values().forEach(names::addAll);
                listener.incomplete(List.copyOf(names));
            }
        }
    }

    /**
     * The stores that may hold this stream's producers and whose heartbeats it cannot deliver now: no worker of the
     * store is alive; or one is, but the token is behind the commit key it reported coming back (what the store
     * held then is still to be replayed); or, for a worker that reports no keys, a store missing before that no
     * subscription has heard from yet. A store no worker names any more (it left the cluster) is not waited for.
     */
    private SortedMap<String, SortedSet<String>> missingNow() {
        Map<String, List<Member>> byStore = new HashMap<>();
        for (Member m : membership.all()) {
            byStore.computeIfAbsent(storeOf(m), k -> new ArrayList<>()).add(m);
        }
        SortedMap<String, SortedSet<String>> now = new TreeMap<>();
        for (Map.Entry<String, List<Member>> e : byStore.entrySet()) {
            String store = e.getKey();
            boolean alive = false;
            long back = Long.MAX_VALUE;
            SortedSet<String> names = new TreeSet<>();
            for (Member m : e.getValue()) {
                names.add(m.id());
                if (m.alive()) {
                    alive = true;
                    back = m.joinKey() >= 0 ? Math.min(back, m.joinKey()) : back;
                }
            }
            boolean behind = !alive
                    || (back != Long.MAX_VALUE ? position.positions().containsKey(store) && position.keyIn(store) < back
                    : missing.containsKey(store) && !heardFrom(store));
            if (behind && mayHold(store)) {
                now.put(store, names);
            }
        }
        return now;
    }

    /** True when a subscription to a worker of {@code store} has had a frame. */
    private boolean heardFrom(String store) {
        for (Upstream up : upstreams.values()) {
            if (up.heard && storeOf(up.member).equals(store)) {
                return true;
            }
        }
        return false;
    }

    /** True when {@code store} may hold heartbeats of this stream's producers. */
    private boolean mayHold(String store) {
        if (filter.all()) {
            return true;
        }
        for (String producer : filter.producers()) {
            if (storesOf.apply(producer).contains(store)) {
                return true;
            }
        }
        return false;
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
        from.heard = true;
        if (from.checking || !from.waiting.isEmpty()) {
            from.waiting.add(new Frame(event, id, data)); // after the heartbeat whose copies are being looked for
            return;
        }
        handle(from, event, id, data);
    }

    private void handle(Upstream from, String event, String id, String data) {
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
        }
        if (!"heartbeat".equals(event) || data == null) {
            moveTo(at);
            listener.position(position);
            return;
        }
        Heartbeat hb;
        try {
            hb = HeartbeatJson.decode(data.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            LOG.warn("worker {} streamed a record this balancer cannot read: {}", from.member.url(), e.getMessage());
            moveTo(at);
            listener.position(position);
            return;
        }
        String store = storeOf(from.member);
        if (copies != Copies.NONE && hb.seq() != null && from.member.joinKey() >= 0
                && at.keyIn(store) <= from.member.joinKey()
                && !recentCopies.containsKey(copyKey(hb))) {
            // stored before its worker came back: another store may hold a retry of it, sent to that worker while
            // this one was away and delivered before this stream's token; look before delivering, in order
            from.checking = true;
            from.pause();
            copies.deliveredBefore(hb, store, position).onComplete(found -> {
                from.checking = false;
                if (stopped || from.closed) {
                    return;
                }
                deliver(hb, data, at, found.succeeded() && found.result());
                while (!from.checking && !from.waiting.isEmpty() && !from.closed) {
                    Frame next = from.waiting.poll();
                    handle(from, next.event(), next.id(), next.data());
                }
                if (!from.checking) {
                    from.resume();
                }
            });
            return;
        }
        deliver(hb, data, at, false);
    }

    /** Moves the token to what {@code at} says of its stores. */
    private void moveTo(StreamToken at) {
        for (Map.Entry<String, Long> p : at.positions().entrySet()) {
            position = position.with(p.getKey(), p.getValue());
        }
    }

    /** Hands a heartbeat on after the token moved past it, unless the subscriber has had a copy or may not see it. */
    private void deliver(Heartbeat hb, String record, StreamToken at, boolean hadCopy) {
        moveTo(at);
        if (hadCopy || (hb.seq() != null && recentCopies.put(copyKey(hb), Boolean.TRUE) != null)) {
            listener.position(position);
            return;
        }
        if (!filter.matches(hb.producer())) {
            listener.position(position); // outside the subscriber's scope
            return;
        }
        listener.heartbeat(hb, record, position);
    }

    private static String copyKey(Heartbeat hb) {
        return hb.producer() + '|' + hb.time() + '|' + hb.seq();
    }

    /** A frame of a worker's stream, held while a heartbeat before it waits for its copies to be looked up. */
    private record Frame(String event, String id, String data) {
    }

    /** One worker's stream. */
    private final class Upstream {
        private final Member member;
        private HttpClientRequest request;
        private HttpClientResponse response;
        private boolean closed;
        private boolean heard;
        /** A heartbeat of this worker's waits for {@link Copies}; the frames after it wait in {@link #waiting}. */
        private boolean checking;
        private final ArrayDeque<Frame> waiting = new ArrayDeque<>();

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
                        response = resp;
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

        void pause() {
            if (response != null) {
                response.pause();
            }
        }

        void resume() {
            if (response != null && !closed) {
                response.resume();
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
