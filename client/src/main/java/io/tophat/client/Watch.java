package io.tophat.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * A running subscription to a balancer's Server-Sent Events stream, from {@link TopHatConsumer#watch} or
 * {@link TopHatConsumer#areaEvents}. It runs on a daemon thread of its own until {@link #close()}: when the stream
 * is lost, ends, is cut by the server ({@code lagged}) or goes silent for longer than the configured idle timeout
 * (the server sends a keep-alive every 15 s), it reconnects, to the next balancer when one cannot be reached,
 * with exponential backoff, and resumes from the last token it had. A 4xx answer ends it for good.
 */
public final class Watch implements AutoCloseable {
    private static final Duration BACKOFF_BASE = Duration.ofMillis(200);
    private static final Duration BACKOFF_MAX = Duration.ofSeconds(10);
    private static final long CHECK_MILLIS = 250;

    /** What a frame asks the watch to do next. */
    enum Next { CONTINUE, RESUME_NOW, RESUME_LATER }

    /** The kind-specific part: what each frame means, and who hears of the connection. */
    interface Frames {
        /** A connection's stream has opened; its frames follow. */
        default void opened() {
        }

        Next frame(String event, String id, String data);

        WatchListener listener();
    }

    private final List<URI> balancers;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private final int maxBodyBytes;
    private final Function<String, String> pathForToken;
    private final Frames frames;
    private final Backoff backoff = new Backoff(BACKOFF_BASE, BACKOFF_MAX, new SplittableRandom());
    private final Thread thread;
    private volatile String token;
    private volatile boolean closed;
    private volatile SseConnection current;

    /** The consumer key sent with every subscription, or null. */
    private final String key;

    Watch(String name, ConsumerConfig config, HttpClient http, int firstBalancer, String fromToken,
          Function<String, String> pathForToken, Frames frames) {
        this.balancers = config.balancers();
        this.http = http;
        this.requestTimeout = config.requestTimeout();
        this.key = config.key();
        this.idleTimeout = config.streamIdleTimeout();
        this.maxBodyBytes = config.maxBodyBytes();
        this.pathForToken = pathForToken;
        this.frames = frames;
        this.token = fromToken;
        this.thread = new Thread(() -> run(firstBalancer), "tophat-watch-" + name);
        thread.setDaemon(true);
    }

    Watch start() {
        thread.start();
        return this;
    }

    /** The token to resume from: after the last heartbeat delivered (null before the stream gave one). */
    public String token() {
        return token;
    }

    public boolean isOpen() {
        return thread.isAlive() && !closed;
    }

    /** Waits until the watch has ended (closed, or failed for good); false when {@code timeout} passed first. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** Ends the watch: the connection is closed, no listener method is called after this returns. */
    @Override
    public void close() {
        closed = true;
        SseConnection connection = current;
        if (connection != null) {
            connection.abandon();
        }
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Called by a connection for each frame, under its lock, so a frame is never half-delivered across a cut. */
    void tokenMoved(String id) {
        if (id != null && !id.isEmpty()) {
            token = id;
        }
    }

    private void run(int firstBalancer) {
        int balancer = firstBalancer;
        int attempt = 0;
        while (!closed) {
            URI uri = Endpoints.resolve(balancers.get(balancer), pathForToken.apply(token));
            SseConnection connection = new SseConnection(uri, this, frames, maxBodyBytes);
            current = connection;
            Ending ending;
            try {
                ending = connect(uri, connection);
            } catch (InterruptedException e) {
                break;
            } finally {
                connection.abandon(); // waits for a frame being delivered: no listener call overlaps the next
            }
            if (closed) {
                break;
            }
            if (ending.delivered) {
                attempt = 0;
            }
            if (ending.permanent) {
                closed = true;
                frames.listener().failed(ending.cause);
                break;
            }
            if (ending.rotate) {
                balancer = (balancer + 1) % balancers.size();
            }
            Duration pause = ending.immediate ? Duration.ZERO
                    : ending.retryAfter != null ? ending.retryAfter : backoff.delay(++attempt);
            try {
                frames.listener().disconnected(ending.cause, pause);
            } catch (RuntimeException e) {
                closed = true;
                frames.listener().failed(new TopHatException("the stream listener threw " + e, e));
                break;
            }
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                break;
            }
        }
        SseConnection connection = current;
        if (connection != null) {
            connection.abandon();
        }
    }

    /** One connection, from the request to its end. */
    private Ending connect(URI uri, SseConnection connection) throws InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Accept", "text/event-stream");
        if (key != null) {
            builder.header("Authorization", "Bearer " + key);
        }
        HttpRequest request = builder.GET().build();
        CompletableFuture<HttpResponse<byte[]>> response = http.sendAsync(request, connection.handler());
        CompletableFuture<Object> first = CompletableFuture.anyOf(response, connection.ended());
        while (!first.isDone()) {
            try {
                first.get(CHECK_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (connection.silentFor(idleTimeout)) {
                    connection.abandon();
                    return Ending.lost(new UnreachableException(uri, true,
                            new HttpTimeoutException("no data for " + idleTimeout.toMillis() + " ms")), connection);
                }
            } catch (ExecutionException e) {
                break;
            }
        }
        if (connection.ended().isDone()) {
            return connection.ended().join();
        }
        try {
            HttpResponse<byte[]> answer = response.get();
            Reply reply = new Reply(uri, answer.statusCode(), answer.headers(), answer.body());
            int status = reply.status();
            if (status >= 400 && status < 500 && status != 408 && status != 429) {
                return Ending.permanent(reply.failure());
            }
            return Ending.refused(reply.failure(), reply.retryAfter());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return Ending.unreachable(new UnreachableException(uri, cause instanceof HttpTimeoutException, cause));
        }
    }

    /** How a connection ended, and what the watch does next. */
    record Ending(TopHatException cause, boolean permanent, boolean immediate, boolean rotate,
                  Duration retryAfter, boolean delivered) {
        static Ending lost(TopHatException cause, SseConnection connection) {
            return new Ending(cause, false, false, false, null, connection.delivered());
        }

        static Ending resumeNow(TopHatException cause) {
            return new Ending(cause, false, true, false, null, true);
        }

        static Ending permanent(TopHatException cause) {
            return new Ending(cause, true, false, false, null, false);
        }

        static Ending refused(TopHatException cause, Duration retryAfter) {
            return new Ending(cause, false, false, true, retryAfter, false);
        }

        static Ending unreachable(TopHatException cause) {
            return new Ending(cause, false, false, true, null, false);
        }
    }
}
