package io.tophat.client;

import io.tophat.protocol.SseReader;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * One Server-Sent Events connection of a {@link Watch}: reads the body as it arrives (one chunk requested at a
 * time, so a slow listener slows the socket rather than filling memory), hands each frame on, and says how it
 * ended. Frames are handled under this object's lock, so {@link #abandon()} never cuts one in half.
 */
final class SseConnection implements Flow.Subscriber<List<ByteBuffer>> {
    private final URI uri;
    private final Watch watch;
    private final Watch.Frames frames;
    private final int maxBodyBytes;
    private final SseReader reader = new SseReader(this::frame);
    private final CompletableFuture<Watch.Ending> ended = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile long lastData;
    private volatile boolean open;
    private boolean abandoned;
    private volatile boolean delivered;

    SseConnection(URI uri, Watch watch, Watch.Frames frames, int maxBodyBytes) {
        this.uri = uri;
        this.watch = watch;
        this.frames = frames;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Reads a 200's body as a stream; any other answer whole (bounded), for the watch to report. */
    HttpResponse.BodyHandler<byte[]> handler() {
        return info -> info.statusCode() == 200
                ? HttpResponse.BodySubscribers.fromSubscriber(this, s -> new byte[0])
                : BoundedBody.handler(maxBodyBytes).apply(info);
    }

    CompletableFuture<Watch.Ending> ended() {
        return ended;
    }

    boolean delivered() {
        return delivered;
    }

    /** True once the stream is open and nothing, not even a keep-alive, came for {@code idle}. */
    boolean silentFor(Duration idle) {
        return open && System.nanoTime() - lastData > idle.toNanos();
    }

    /** Closes the connection; no frame is handed on after this returns. */
    void abandon() {
        synchronized (this) {
            abandoned = true;
        }
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        synchronized (this) {
            if (abandoned) {
                s.cancel();
                return;
            }
            lastData = System.nanoTime();
            open = true;
            try {
                frames.opened();
                frames.listener().connected(uri);
            } catch (RuntimeException e) {
                listenerThrew(e);
                s.cancel();
                return;
            }
        }
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        synchronized (this) {
            if (abandoned || ended.isDone()) {
                return;
            }
            lastData = System.nanoTime();
            for (ByteBuffer buffer : buffers) {
                while (buffer.hasRemaining() && !ended.isDone()) {
                    reader.feed(buffer.get());
                }
            }
        }
        if (ended.isDone()) {
            subscription.cancel();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable failure) {
        ended.complete(Watch.Ending.lost(new UnreachableException(uri, false, failure), this));
    }

    @Override
    public void onComplete() {
        ended.complete(Watch.Ending.lost(new TopHatException(uri + " ended the stream"), this));
    }

    private void frame(String event, String id, String data) {
        if (ended.isDone()) {
            return;
        }
        Watch.Next next;
        try {
            next = frames.frame(event, id, data);
        } catch (RuntimeException e) {
            listenerThrew(e);
            return;
        }
        watch.tokenMoved(id);
        delivered = true;
        switch (next) {
            case RESUME_NOW -> ended.complete(Watch.Ending.resumeNow(
                    new TopHatException(uri + " said this consumer fell behind (lagged); resuming from its token")));
            case RESUME_LATER -> ended.complete(Watch.Ending.lost(
                    new TopHatException(uri + " sent an error event: " + data), this));
            case CONTINUE -> {
            }
        }
    }

    private void listenerThrew(RuntimeException e) {
        TopHatException cause = e instanceof TopHatException t ? t
                : new TopHatException("the stream listener threw " + e, e);
        ended.complete(Watch.Ending.permanent(cause));
    }
}
