package io.tophat.worker;

import io.tophat.protocol.HeartbeatJson;
import io.tophat.store.HeartbeatStore;
import io.tophat.store.StoredHeartbeat;
import io.tophat.stream.EventSink;
import io.tophat.stream.StreamEvent;
import io.tophat.stream.StreamFilter;
import io.tophat.stream.StreamOutbox;
import io.tophat.stream.StreamToken;
import io.vertx.core.Context;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One subscriber of a worker's stream. It joins the {@link StreamHub} first, then (given a token naming this store)
 * replays from the store what was committed after the token, a page at a time as the connection takes it, holding
 * the live events that arrive meanwhile; then it sends a frame moving the token to the store's end as the replay
 * found it (past heartbeats of other producers, so the balancer can tell a returning store has given its rest),
 * sends those held events it has not replayed, and goes live. So the subscriber gets every heartbeat committed
 * after its token once, in commit order. Live events it cannot take fast enough overflow its
 * {@link StreamOutbox}: it gets {@code lagged} and resumes from history.
 */
final class StreamSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(StreamSubscription.class);
    static final int REPLAY_PAGE = 512;

    private final StreamHub hub;
    private final HeartbeatStore store;
    private final WorkerExecutor reads;
    private final StreamFilter filter;
    private final Context context;
    private final EventSink sink;
    private final StreamOutbox out;
    private final int holdLimit;
    /** Live events that came while replaying; null once live. */
    private List<StreamEvent> held = new ArrayList<>();
    /** The commit key of the last event given to the outbox. */
    private long sentKey;

    StreamSubscription(StreamHub hub, HeartbeatStore store, WorkerExecutor reads, StreamFilter filter,
                       Context context, EventSink sink, StreamOutbox out, int holdLimit) {
        this.hub = hub;
        this.store = store;
        this.reads = reads;
        this.filter = filter;
        this.context = context;
        this.sink = sink;
        this.out = out;
        this.holdLimit = holdLimit;
    }

    StreamFilter filter() {
        return filter;
    }

    /**
     * Joins the hub and starts from {@code token}'s key for this store, or from now when it names none; first
     * sends a frame that only sets the subscriber's token, so a reconnect resumes from here even before an event.
     */
    void start(StreamToken token) {
        out.onClose(() -> {
            hub.remove(this);
            if (out.lagging()) {
                hub.countLagged();
            }
        });
        hub.add(this);
        long after = token.keyIn(hub.store());
        boolean replay = after >= 0;
        sentKey = replay ? after : store.lastKey();
        String id = StreamToken.encodeOne(hub.store(), sentKey);
        out.send(sink.frame(null, id, null), id);
        if (replay) {
            replayPage();
        } else {
            goLive();
        }
    }

    /** Live events from the writer thread: handed to this subscription's event loop. */
    void live(List<StreamEvent> events) {
        context.runOnContext(v -> {
            if (out.closed()) {
                return;
            }
            if (held != null) {
                held.addAll(events);
                if (held.size() > holdLimit) {
                    lagged();
                }
                return;
            }
            send(events);
        });
    }

    private void send(List<StreamEvent> events) {
        for (StreamEvent e : events) {
            if (e.key() > sentKey) {
                sentKey = e.key();
                if (!out.send(e.frameFor(sink), e.id())) {
                    return;
                }
            }
        }
    }

    private void lagged() {
        held = null;
        out.lagged();
    }

    /** A page of the replay, and the store's last commit key read just before it. */
    private record Page(List<StoredHeartbeat> heartbeats, long end) {
    }

    private void replayPage() {
        long after = sentKey;
        // the last key first: every commit up to it is visible to the read that follows
        reads.executeBlocking(() -> {
                    long end = store.lastKey();
                    return new Page(store.committedAfter(after, filter.producers(), REPLAY_PAGE), end);
                }, false)
                .onComplete(read -> {
                    if (out.closed()) {
                        return;
                    }
                    if (read.failed()) {
                        LOG.warn("a stream could not replay from the store ({}); the subscriber is told to "
                                + "resume later", read.cause().getMessage());
                        out.closeWith(sink.frame("error", out.lastId(), "{\"error\":\"store unavailable\","
                                + "\"detail\":\"the replay could not read the store; reconnect with the last id\"}"));
                        return;
                    }
                    List<StoredHeartbeat> page = read.result().heartbeats();
                    List<StreamEvent> events = new ArrayList<>(page.size());
                    for (StoredHeartbeat s : page) {
                        long key = s.position().key();
                        if (!filter.matches(s.heartbeat().producer())) {
                            sentKey = Math.max(sentKey, key); // outside the subscriber's scope: passed over
                            continue;
                        }
                        events.add(new StreamEvent(s.heartbeat().producer(), key, StreamToken.encodeOne(hub.store(), key),
                                new String(HeartbeatJson.encode(s.heartbeat()), StandardCharsets.UTF_8)));
                    }
                    send(events);
                    if (page.size() < REPLAY_PAGE) {
                        long end = read.result().end();
                        if (end > sentKey && !out.closed()) {
                            sentKey = end; // the replay read everything up to the end: what it passed over is not theirs
                            String id = StreamToken.encodeOne(hub.store(), end);
                            out.send(sink.frame(null, id, null), id);
                        }
                        goLive();
                    } else {
                        out.whenIdle(this::replayPage);
                    }
                });
    }

    private void goLive() {
        List<StreamEvent> waiting = held;
        held = null;
        if (waiting != null && !out.closed()) {
            send(waiting);
        }
    }
}
