package io.tophat.http;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * Makes the Vert.x runtimes of TopHat's servers and tools: on Netty's native epoll transport where the platform
 * has it (Linux on x86-64 or ARM64; fewer system calls and copies per request than the JDK's NIO selector), else
 * on NIO.
 */
public final class VertxRuntime {
    private VertxRuntime() {
    }

    public static Vertx create() {
        return create(new VertxOptions());
    }

    public static Vertx create(VertxOptions options) {
        return Vertx.vertx(options.setPreferNativeTransport(true));
    }

    /** The transport's name for log lines: {@code epoll} or {@code nio}. */
    public static String transport(Vertx vertx) {
        return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
    }
}
