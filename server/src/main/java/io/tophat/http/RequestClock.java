package io.tophat.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Times each request on one connection from its first byte until its last body byte has been read
 * ({@link HttpLimits#requestTimeout()}), which Vert.x's idle timeout cannot do: it starts again at every byte, so a
 * client that trickles its headers a byte a second would hold the connection for ever. Out of time, the client
 * gets a 408 with a JSON error (or, when the request was answered already or another answer is being written,
 * nothing more) and the connection is closed.
 *
 * <p>The HTTP decoder emits nothing until a request's headers are complete, so the clock starts in this handler,
 * placed before the decoder (after TLS), on the first bytes that are not the CR LF a client may send between
 * requests; it stops in its {@link End}, after the encoder, when the request's last content passes. A connection
 * waiting between requests, or streaming an answer to a request read whole, is off the clock; so is one upgraded
 * to a WebSocket, for good. The clock does not run out while the server itself has stopped reading (back-pressure
 * on the request); it looks again a timeout later.
 *
 * <p>One timer per connection at most: a request that starts while it is pending moves nothing, and the timer, on
 * firing, waits out what the current request has left.
 */
final class RequestClock extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestClock.class);

    private final long timeoutNanos;
    private final ByteBuf timeoutAnswer;
    private final End end = new End();
    private final Runnable check = this::check;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private long startedAt;
    /** A request has begun and its last content has not been read. */
    private boolean reading;
    /** A response head went out since the request being read began. */
    private boolean answered;
    /** A response is being written: its head went out, its last content not yet. */
    private boolean responding;
    /** The connection is no longer HTTP but a WebSocket: nothing more to time. */
    private boolean upgraded;
    /** The request's time ran out: the connection is closing, nothing more is read. */
    private boolean expired;

    private RequestClock(long timeoutNanos, ByteBuf timeoutAnswer) {
        this.timeoutNanos = timeoutNanos;
        this.timeoutAnswer = timeoutAnswer;
    }

    /**
     * Adds the clock to a new connection's pipeline: before the HTTP decoder, and its end right after the encoder
     * (so install the request screen first: the end then sees what the decoder emits before the screen does).
     *
     * @param timeoutAnswer the 408 to write, from {@link ErrorResponder#closingAnswer}
     */
    static void install(ChannelPipeline pipeline, long timeoutNanos, ByteBuf timeoutAnswer) {
        RequestClock clock = new RequestClock(timeoutNanos, timeoutAnswer);
        pipeline.addBefore(RequestScreen.DECODER, "tophat-request-clock", clock);
        pipeline.addAfter(RequestScreen.ENCODER, "tophat-request-clock-end", clock.end);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (expired) {
            // what still arrives before the close is read by no one
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!reading && !upgraded && msg instanceof ByteBuf bytes
                && bytes.forEachByte(ByteProcessor.FIND_NON_CRLF) >= 0) {
            start();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void start() {
        reading = true;
        answered = false;
        startedAt = System.nanoTime();
        if (timer == null) {
            timer = ctx.executor().schedule(check, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void check() {
        timer = null;
        if (!reading || upgraded || expired || !ctx.channel().isActive()) {
            return;
        }
        long left = startedAt + timeoutNanos - System.nanoTime();
        if (left > 0 || !ctx.channel().config().isAutoRead()) {
            timer = ctx.executor().schedule(check, left > 0 ? left : timeoutNanos, TimeUnit.NANOSECONDS);
            return;
        }
        expired = true;
        LOG.debug("{}: the request was not complete within its time; closing", ctx.channel().remoteAddress());
        if (answered || responding) {
            ctx.close();
        } else {
            // beneath the encoder, which is idle: no answer is being written
            ctx.writeAndFlush(timeoutAnswer.duplicate()).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** The clock's end, after the HTTP encoder: sees decoded requests come in and responses go out. */
    private final class End extends ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!upgraded && !expired) {
                if (msg instanceof HttpRequest && !reading) {
                    // the next request's head came in the same read as the end of the one before
                    start();
                }
                if (msg instanceof LastHttpContent) {
                    reading = false;
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof HttpResponse response) {
                if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                    // a WebSocket from here on: frames, no more requests
                    upgraded = true;
                    reading = false;
                    cancel();
                }
                if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                    // an interim answer (100 Continue, 101) answers nothing, and ends no answer being written
                    ctx.write(msg, promise);
                    return;
                }
                answered = true;
                responding = true;
            }
            if (msg instanceof LastHttpContent) {
                responding = false;
            }
            ctx.write(msg, promise);
        }
    }
}
