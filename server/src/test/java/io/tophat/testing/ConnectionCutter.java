package io.tophat.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay to a target port that can cut every connection through it at once, as a network
 * fault would: the client sees its connection reset mid-stream, the server sees it closed. Bytes are relayed as
 * they come, so long-lived streams pass through.
 */
public final class ConnectionCutter implements AutoCloseable {
    private final NetServer server;
    private final NetClient client;
    private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean refusing;

    private ConnectionCutter(Vertx vertx, String listenHost, String targetHost, int targetPort) {
        this.client = vertx.createNetClient();
        this.server = vertx.createNetServer().connectHandler(inbound -> {
            accepted.incrementAndGet();
            if (refusing) {
                inbound.close();
                return;
            }
            inbound.pause();
            open.add(inbound);
            client.connect(targetPort, targetHost).onComplete(connected -> {
                if (connected.failed()) {
                    inbound.close();
                    return;
                }
                NetSocket outbound = connected.result();
                open.add(outbound);
                inbound.closeHandler(v -> {
                    open.remove(inbound);
                    outbound.close();
                });
                outbound.closeHandler(v -> {
                    open.remove(outbound);
                    inbound.close();
                });
                inbound.pipeTo(outbound);
                outbound.pipeTo(inbound);
                inbound.resume();
            });
        });
        join(server.listen(0, listenHost));
    }

    public static ConnectionCutter start(Vertx vertx, int targetPort) {
        return start(vertx, "127.0.0.1", targetPort);
    }

    public static ConnectionCutter start(Vertx vertx, String targetHost, int targetPort) {
        return new ConnectionCutter(vertx, "127.0.0.1", targetHost, targetPort);
    }

    /** A relay listening on {@code listenHost} (a bridge's address, say) instead of loopback. */
    public static ConnectionCutter listening(Vertx vertx, String listenHost, String targetHost, int targetPort) {
        return new ConnectionCutter(vertx, listenHost, targetHost, targetPort);
    }

    public int port() {
        return server.actualPort();
    }

    /** Connections accepted so far: after a cut, a client that reconnected adds one. */
    public int accepted() {
        return accepted.get();
    }

    /** Closes every connection through the relay now; new ones are relayed again. */
    public void cutAll() {
        open.forEach(NetSocket::close);
    }

    /** While true, every connection, open or new, is closed at once: the target looks gone. */
    public void refuse(boolean refuse) {
        refusing = refuse;
        if (refuse) {
            cutAll();
        }
    }

    @Override
    public void close() {
        cutAll();
        join(server.close());
        join(client.close());
    }

    private static <T> T join(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("the connection cutter failed", e);
        }
    }
}
