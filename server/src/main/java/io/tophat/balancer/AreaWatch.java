package io.tophat.balancer;

import io.tophat.geo.Area;
import io.tophat.geo.NearQuery;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import io.tophat.stream.StreamFilter;
import io.tophat.stream.StreamOutbox;
import io.tophat.stream.StreamToken;
import io.tophat.stream.EventSink;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Who enters and leaves the watched areas. While any area exists the balancer follows every worker's stream (one
 * {@link ClusterStream} of every producer) and evaluates each stored position against the producer's previous one,
 * wherever each was stored, so a producer that changes worker between two points is judged on both. A point older
 * than the last one judged for its producer (a late retry, a buffered point) does not move it. What the balancer
 * remembers is the areas each producer is inside, for those inside one; at start and when an area is added, it
 * asks the workers who is inside now ("who is near here" over the area's bounding circle), so neither a restart nor
 * a new area makes up enter events. Runs on one event loop of its own; subscribers are sent to on theirs.
 */
final class AreaWatch {
    private static final Logger LOG = LoggerFactory.getLogger(AreaWatch.class);

    /** The areas a producer was last seen inside, and when. */
    private record Inside(long time, Set<String> areas) {
    }

    private record Subscriber(Context context, EventSink sink, StreamOutbox out,
                              java.util.function.Predicate<String> within) {
    }

    private final Vertx vertx;
    private final Membership membership;
    private final HttpClient http;
    private final NearHandlers near;
    private final Context context;
    private final Map<String, Area> areas = new ConcurrentHashMap<>();
    private final Map<String, List<Subscriber>> subscribers = new ConcurrentHashMap<>();
    private final Map<String, Inside> inside = new HashMap<>();
    private ClusterStream stream;

    /** The balancer's own calls' Authorization header (null when open). */
    private final String authorization;

    AreaWatch(Vertx vertx, Membership membership, HttpClient http, NearHandlers near, Collection<Area> stored,
              String authorization) {
        this.authorization = authorization;
        this.vertx = vertx;
        this.membership = membership;
        this.http = http;
        this.near = near;
        this.context = vertx.getOrCreateContext();
        stored.forEach(a -> areas.put(a.name(), a));
    }

    /** Follows the workers' streams if there are areas (call once the balancer listens). */
    void start() {
        context.runOnContext(v -> {
            areas.values().forEach(this::seed);
            follow();
        });
    }

    void stop() {
        context.runOnContext(v -> {
            if (stream != null) {
                stream.stop();
                stream = null;
            }
        });
    }

    Area get(String name) {
        return areas.get(name);
    }

    Collection<Area> all() {
        List<Area> list = new ArrayList<>(areas.values());
        list.sort(java.util.Comparator.comparing(Area::name));
        return list;
    }

    void add(Area area) {
        areas.put(area.name(), area);
        context.runOnContext(v -> {
            forget(area.name());
            seed(area);
            follow();
        });
    }

    void remove(String name) {
        areas.remove(name);
        List<Subscriber> gone = subscribers.remove(name);
        if (gone != null) {
            gone.forEach(s -> s.context().runOnContext(v -> s.out().close()));
        }
        context.runOnContext(v -> {
            forget(name);
            follow();
        });
    }

    /** Sends {@code area}'s enter and leave events to {@code sink} until it goes away. */
    void subscribe(String area, EventSink sink, StreamOutbox out, java.util.function.Predicate<String> within) {
        Subscriber s = new Subscriber(vertx.getOrCreateContext(), sink, out, within);
        List<Subscriber> list = subscribers.computeIfAbsent(area, n -> new CopyOnWriteArrayList<>());
        list.add(s);
        out.onClose(() -> list.remove(s));
    }

    /** Who is inside {@code area} now, by the workers' indexes: nearest its centre first. */
    Future<NearHandlers.Merged> insideNow(Area area, int limit) {
        return near.fanOut(new NearQuery(area.lat(), area.lon(), area.radiusM(), NearQuery.MAX_LIMIT, Long.MIN_VALUE),
                        authorization)
                .map(m -> {
                    List<NearHandlers.Found> in = new ArrayList<>();
                    for (NearHandlers.Found f : m.items()) {
                        if (in.size() < limit && area.contains(f.item().lat(), f.item().lon())) {
                            in.add(f);
                        }
                    }
                    return new NearHandlers.Merged(in, m.missing());
                });
    }

    private void follow() {
        if (areas.isEmpty() && stream != null) {
            stream.stop();
            stream = null;
        } else if (!areas.isEmpty() && stream == null) {
            stream = new ClusterStream(vertx, membership, p -> Set.of(), ClusterStream.Copies.NONE, http,
                    authorization, StreamFilter.ALL, StreamToken.EMPTY,
                    new ClusterStream.Listener() {
                        @Override
                        public void heartbeat(Heartbeat heartbeat, String record, StreamToken after) {
                            judge(heartbeat, record);
                        }

                        @Override
                        public void position(StreamToken at) {
                            // live only: area events do not resume
                        }
                    });
            stream.start();
        }
    }

    private void seed(Area area) {
        insideNow(area, NearQuery.MAX_LIMIT).onSuccess(m -> {
            for (NearHandlers.Found f : m.items()) {
                Inside held = inside.get(f.item().producer());
                Set<String> in = held == null ? new HashSet<>() : new HashSet<>(held.areas());
                in.add(area.name());
                inside.put(f.item().producer(), new Inside(held == null ? f.item().time()
                        : Math.max(held.time(), f.item().time()), in));
            }
            if (!m.missing().isEmpty()) {
                LOG.warn("area {}: workers {} did not say who is inside; producers of theirs already inside get an "
                        + "enter event at their next heartbeat", area.name(), m.missing());
            }
        });
    }

    private void forget(String area) {
        inside.values().removeIf(in -> in.areas().remove(area) && in.areas().isEmpty());
    }

    private void judge(Heartbeat hb, String record) {
        Location at = hb.location();
        if (at.label() != null || at.lat() == null || at.lon() == null) {
            return;
        }
        Inside before = inside.get(hb.producer());
        if (before != null && hb.time() < before.time()) {
            return;
        }
        Set<String> now = new HashSet<>();
        for (Area a : areas.values()) {
            if (a.contains(at.lat(), at.lon())) {
                now.add(a.name());
            }
        }
        Set<String> was = before == null ? Set.of() : before.areas();
        for (String a : now) {
            if (!was.contains(a)) {
                emit(a, "enter", hb, record);
            }
        }
        for (String a : was) {
            if (!now.contains(a) && areas.containsKey(a)) {
                emit(a, "leave", hb, record);
            }
        }
        if (now.isEmpty()) {
            inside.remove(hb.producer());
        } else {
            inside.put(hb.producer(), new Inside(hb.time(), now));
        }
    }

    private void emit(String area, String kind, Heartbeat hb, String record) {
        List<Subscriber> list = subscribers.get(area);
        if (list == null || list.isEmpty()) {
            return;
        }
        String data = "{\"area\":\"" + area + "\",\"producer\":\"" + hb.producer() + "\",\"heartbeat\":" + record + "}";
        for (Subscriber s : list) {
            if (!s.within().test(hb.producer())) {
                continue;
            }
            s.context().runOnContext(v -> s.out().send(s.sink().frame(kind, null, data), null));
        }
    }
}
