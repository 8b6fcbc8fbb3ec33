package io.tophat.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.http.HttpClosedException;

import java.util.concurrent.TimeoutException;

/**
 * One connection slot and the request it carries; also the handler of each channel it opens (one at a
 * time; events of a channel it has let go are ignored).
 */
@ChannelHandler.Sharable
final class LoadConnection extends ChannelInboundHandlerAdapter {
    private final LoadLoop owner;
    private final LoadPlan plan;
    private final ByteBuf[] heads;
    private final long timeoutNanos;
    private final ResponseReader reader = new ResponseReader();
    private final ByteBuf request;
    private final RequestMix.BodyBytes body;
    private final ChannelFutureListener onConnect = this::connected;
    private final Runnable retry;
    private final Bootstrap connector;
    private Channel channel;
    private Throwable channelFailure;
    private boolean warming;
    private boolean busy;
    private long n;
    private long start;
    private long sentNanos;
    private int begunIn;

    LoadConnection(LoadLoop owner, LoadPlan plan, ByteBuf[] heads, Bootstrap bootstrap, long timeoutNanos) {
        this.owner = owner;
        this.plan = plan;
        this.heads = heads;
        this.timeoutNanos = timeoutNanos;
        this.retry = () -> owner.next(this);
        connector = bootstrap.clone().handler(this);
        byte[] template = plan.mix().bodyTemplate();
        if (template == null) {
            request = null;
            body = null;
        } else if (heads.length > 1) {
            // One head per target (a credential each): the head goes first, then the body rewritten in place.
            ByteBuf buf = Unpooled.directBuffer(template.length).writeBytes(template);
            request = Unpooled.unreleasableBuffer(buf);
            body = buf::setByte;
        } else {
            // Head and body in one buffer per connection; the body part is rewritten in place per request.
            ByteBuf head = heads[0];
            int offset = head.readableBytes();
            ByteBuf buf = Unpooled.directBuffer(offset + template.length)
                    .writeBytes(head, head.readerIndex(), offset).writeBytes(template);
            request = Unpooled.unreleasableBuffer(buf);
            body = (i, v) -> buf.setByte(offset + i, v);
        }
    }

    /** Open loop with keep-alive: connect ahead, so the first requests do not wait for a connect. */
    void warm() {
        warming = true;
        connector.connect().addListener(onConnect);
    }

    void begin(long requestNumber, long startNanos) {
        busy = true;
        begunIn = owner.epoch();
        n = requestNumber;
        start = startNanos;
        sentNanos = System.nanoTime();
        if (channel == null) {
            connector.connect().addListener(onConnect);
        } else {
            send();
        }
    }

    private void send() {
        reader.reset();
        ByteBuf bytes;
        if (request == null) {
            bytes = heads[plan.mix().target(n)].duplicate();
        } else {
            plan.mix().fillBody(body, n);
            bytes = request.duplicate();
            if (heads.length > 1) {
                channel.write(heads[plan.mix().target(n)].duplicate(), channel.voidPromise());
            }
        }
        channel.writeAndFlush(bytes, channel.voidPromise());
    }

    private void connected(ChannelFuture f) {
        if (f.isSuccess()) {
            channel = f.channel();
            channelFailure = null;
        }
        if (warming) {
            warming = false;
            owner.next(this);
        } else if (!busy) {
            drop();
        } else if (!f.isSuccess()) {
            failed(f.cause());
        } else if (channel.isActive()) {
            send();
        } else {
            closed();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        try {
            if (ctx.channel() != channel || !busy) {
                return;
            }
            if (reader.feed(data)) {
                answered();
            }
        } catch (IllegalStateException e) {
            failed(e);
        } finally {
            data.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ctx.channel() == channel) {
            channelFailure = cause;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ctx.channel() == channel) {
            closed();
        }
    }

    private void closed() {
        channel = null;
        if (!busy) {
            return;
        }
        if (reader.endsAtClose()) {
            answered();
        } else {
            failed(channelFailure != null ? channelFailure : new HttpClosedException("closed by the server"));
        }
    }

    private void answered() {
        busy = false;
        if (plan.answerListener() != null) {
            plan.answerListener().answered(n, reader.status());
        }
        long now = System.nanoTime();
        if (owner.counts(begunIn)) {
            owner.countersOnLoop().answered(reader.status(), reader.retryAfter(), now - start);
        }
        owner.settle(now);
        if (reader.closeAfter() || !plan.keepAlive()) {
            drop();
        }
        owner.next(this);
    }

    private void failed(Throwable cause) {
        busy = false;
        long now = System.nanoTime();
        ErrorKind kind = ErrorKind.of(cause);
        if (owner.counts(begunIn)) {
            boolean took = kind == ErrorKind.TIMEOUT || kind == ErrorKind.RESET;
            owner.countersOnLoop().failed(kind, took ? now - start : -1);
        }
        owner.settle(now);
        drop();
        if (kind == ErrorKind.CONNECT_REFUSED || kind == ErrorKind.CONNECT_ERROR) {
            owner.retryLater(retry);
        } else {
            owner.next(this);
        }
    }

    void checkTimeout(long now) {
        if (busy && channel != null && now - sentNanos > timeoutNanos) {
            failed(new TimeoutException("no answer within " + plan.timeout().toMillis() + " ms"));
        }
    }

    void drop() {
        Channel c = channel;
        channel = null;
        if (c != null) {
            c.close();
        }
    }
}
