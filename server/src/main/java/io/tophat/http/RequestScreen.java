package io.tophat.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, before any handler sees them, the requests that the HTTP layer would otherwise answer with a 5xx or an
 * empty body: an HTTP version other than 1.0 and 1.1 (505), an HTTP/1.1 request without a Host header or with one
 * that is not a host and port (400), a request target with bad percent-encoding, with escapes that decode to
 * something other than UTF-8, or with bytes outside ASCII (400), and a body whose framing cannot be read, such as
 * a broken chunk (400). Each is marked as a failed decode, so the server's invalid-request handler answers it with
 * a JSON error ({@link ErrorResponder#malformed}) and closes the connection; a broken body fails the request's
 * body read with the same error. It sits in each connection's Netty pipeline right after the HTTP decoder.
 */
@ChannelHandler.Sharable
final class RequestScreen extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestScreen.class);
    private static final RequestScreen INSTANCE = new RequestScreen();
    private static final String DECODER = "httpDecoder";
    private static volatile boolean warned;

    private RequestScreen() {
    }

    /** Adds the screen to a new connection's pipeline (the server's connection handler). */
    static void install(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
            if (pipeline.get(DECODER) != null) {
                pipeline.addAfter(DECODER, "tophat-request-screen", INSTANCE);
                return;
            }
        }
        if (!warned) {
            warned = true;
            LOG.warn("this Vert.x version's connections have no '{}' handler: requests are not screened", DECODER);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
            ApiException refused = refusal(request);
            if (refused != null) {
                request.setProtocolVersion(HttpVersion.HTTP_1_1);
                request.setDecoderResult(DecoderResult.failure(refused));
            }
        } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()
                && !(content.decoderResult().cause() instanceof ApiException)) {
            content.setDecoderResult(DecoderResult.failure(ApiException.unreadable("the body's framing cannot be read ("
                    + ErrorResponder.describe(content.decoderResult().cause()) + ")")));
        }
        ctx.fireChannelRead(msg);
    }

    private static ApiException refusal(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            return new ApiException(505, "HTTP version not supported",
                    "this server speaks HTTP/1.1 and HTTP/1.0, not " + version.text(), 0);
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host == null) {
            if (version == HttpVersion.HTTP_1_1) {
                return ApiException.badRequest("missing Host header", "an HTTP/1.1 request must name the host it is for");
            }
        } else if (HostAndPort.parseAuthority(host, -1) == null) {
            return ApiException.badRequest("invalid Host header", "the Host header must be a host name or address, "
                    + "with an optional port");
        }
        String target = RequestTarget.problem(request.uri());
        return target == null ? null : ApiException.badRequest("invalid request target", target);
    }
}
