package io.tophat.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.tophat.config.Durations;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every new connection of one {@link HttpService} goes through as it is accepted, before its first request is
 * read: refused at once beyond the {@link ConnectionCaps}, else given the {@link RequestClock} and the
 * {@link RequestScreen}. The server's connection handler, shared by all its event loops.
 */
final class ConnectionGuard implements Handler<HttpConnection> {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final ConnectionCaps caps;
    private final long requestTimeoutNanos;
    private final ByteBuf timeoutAnswer;
    private final AtomicBoolean warned = new AtomicBoolean();

    ConnectionGuard(HttpLimits limits) {
        this.caps = new ConnectionCaps(limits);
        this.requestTimeoutNanos = limits.requestTimeout().toNanos();
        this.timeoutAnswer = ErrorResponder.closingAnswer(new ApiException(408, "request timeout",
                "the whole request, headers and body, must arrive within "
                        + Durations.format(limits.requestTimeout()) + " of its first byte", 0));
    }

    @Override
    public void handle(HttpConnection connection) {
        ChannelPipeline pipeline = connection instanceof ConnectionBase base ? base.channel().pipeline() : null;
        // with TLS the decoder comes after the SSL handler: found by name all the same
        ChannelHandlerContext decoder = pipeline == null ? null : pipeline.context(RequestScreen.DECODER);
        if (decoder == null) {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("this Vert.x version's connections have no '{}' handler: connections are not capped, and "
                        + "requests neither timed nor screened", RequestScreen.DECODER);
            }
            return;
        }
        if (caps.admit(pipeline.channel(), decoder)) {
            RequestScreen.install(pipeline);
            RequestClock.install(pipeline, requestTimeoutNanos, timeoutAnswer);
        }
    }

    /** The connection counts; for tests. */
    ConnectionCaps caps() {
        return caps;
    }
}
