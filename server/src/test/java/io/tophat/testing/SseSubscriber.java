package io.tophat.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A test's Server-Sent Events subscriber: reads a stream on its own thread and keeps every frame, as a browser's
 * EventSource would see them (the last id it holds too), until closed or the server ends the stream.
 */
public final class SseSubscriber implements AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One frame; {@code event} null for an id-only frame. */
    public record Frame(String event, String id, String data) {
    }

    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private final int status;
    private volatile String lastId;
    private volatile boolean ended;
    private volatile InputStream body;

    private SseSubscriber(String uri, String lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(uri)).header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            req.header("Last-Event-ID", lastEventId);
        }
        this.lastId = lastEventId;
        HttpResponse<InputStream> resp = CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        this.status = resp.statusCode();
        this.body = resp.body();
        this.reader = new Thread(this::read, "sse-subscriber");
        reader.setDaemon(true);
        reader.start();
    }

    public static SseSubscriber open(String uri) {
        return open(uri, null);
    }

    public static SseSubscriber open(String uri, String lastEventId) {
        try {
            return new SseSubscriber(uri, lastEventId);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String event = null;
            String id = null;
            StringBuilder data = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (id != null) {
                        lastId = id;
                    }
                    if (event != null || id != null || data != null) {
                        frames.add(new Frame(event, id, data == null ? null : data.toString()));
                    }
                    event = null;
                    id = null;
                    data = null;
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                }
            }
        } catch (IOException e) {
            // closed by the test or the server
        } finally {
            ended = true;
        }
    }

    public int status() {
        return status;
    }

    public List<Frame> frames() {
        return List.copyOf(frames);
    }

    /** The data of every frame of this event type, in order. */
    public List<String> data(String event) {
        return frames.stream().filter(f -> event.equals(f.event())).map(Frame::data).toList();
    }

    /** The token an EventSource would reconnect with. */
    public String lastId() {
        return lastId;
    }

    public boolean ended() {
        return ended;
    }

    /** Waits until the frames received satisfy {@code condition}; fails after {@code seconds}. */
    public void await(Predicate<List<Frame>> condition, long seconds, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.test(frames())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; got " + frames.size() + " frames: "
                        + frames().subList(Math.max(0, frames.size() - 5), frames.size()));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** Waits until {@code count} events of this type came. */
    public void awaitEvents(String event, int count, long seconds) {
        await(f -> f.stream().filter(x -> event.equals(x.event())).count() >= count, seconds, count + " " + event + " events");
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // closing anyway
        }
        reader.interrupt();
    }
}
