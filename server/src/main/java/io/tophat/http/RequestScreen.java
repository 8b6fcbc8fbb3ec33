package io.tophat.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.net.HostAndPort;

import java.util.Iterator;
import java.util.List;

/**
 * Refuses, before any handler sees them, the requests that the HTTP layer would otherwise answer with a 5xx or an
 * empty body: an HTTP version other than 1.0 and 1.1 (505), an HTTP/1.1 request without a Host header, with more
 * than one, or with one that is not a host and port (400), a request target with bad percent-encoding, with escapes that decode to
 * something other than UTF-8, or with bytes outside ASCII (400). Each is marked as a failed decode, so the server's
 * invalid-request handler answers it with a JSON error ({@link ErrorResponder#malformed}) and closes the connection.
 * A body whose framing cannot be read, such as a broken chunk, is answered here, 400 with a JSON error unless the
 * request was answered already, and the connection closed: nothing after it on the connection can be read, and
 * a handler that does not read bodies would otherwise never learn of it. One per connection, after the HTTP
 * decoder and encoder in the Netty pipeline.
 */
final class RequestScreen extends ChannelDuplexHandler {
    /** The names Vert.x gives the HTTP/1.x decoder and encoder in a connection's pipeline. */
    static final String DECODER = "httpDecoder";
    static final String ENCODER = "httpEncoder";

    /** Whether the request being read has been answered (a response head went out after it came in). */
    private boolean answered;

    private RequestScreen() {
    }

    /**
     * Adds the screen to a new connection's pipeline, which has the HTTP decoder (the server's connection handler,
     * {@link ConnectionGuard}).
     */
    static void install(ChannelPipeline pipeline) {
        List<String> names = pipeline.names();
        // after the decoder, for what it reads, and after the encoder, so that what the screen writes is encoded
        pipeline.addAfter(names.get(Math.max(names.indexOf(DECODER), names.indexOf(ENCODER))), "tophat-request-screen",
                new RequestScreen());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            answered = false;
            ApiException refused = request.decoderResult().isSuccess() ? refusal(request) : null;
            if (refused != null) {
                request.setProtocolVersion(HttpVersion.HTTP_1_1);
                request.setDecoderResult(DecoderResult.failure(refused));
            }
        } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            ReferenceCountUtil.release(msg);
            refuseBody(ctx, cause);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // an interim answer (100 Continue) leaves the request to be answered
        if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            answered = true;
        }
        ctx.write(msg, promise);
    }

    /**
     * True for a host name or IPv4 address with an optional port from 0 to 65535, checked without allocating (the
     * common case, and a subset of what Vert.x accepts); anything else is left to Vert.x's own parser.
     */
    private static boolean validAuthority(String host) {
        int i = 0;
        while (i < host.length() && isNameChar(host.charAt(i))) {
            i++;
        }
        if (i > 0 && i == host.length()) {
            return true;
        }
        if (i > 0 && host.charAt(i) == ':' && host.length() - i - 1 >= 1 && host.length() - i - 1 <= 5) {
            int port = 0;
            for (int k = i + 1; k < host.length(); k++) {
                char c = host.charAt(k);
                if (c < '0' || c > '9') {
                    return HostAndPort.parseAuthority(host, -1) != null;
                }
                port = port * 10 + (c - '0');
            }
            if (port <= 65535) {
                return true;
            }
        }
        return HostAndPort.parseAuthority(host, -1) != null;
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-';
    }

    private void refuseBody(ChannelHandlerContext ctx, Throwable cause) {
        if (answered) {
            ctx.channel().close();
            return;
        }
        answered = true;
        ApiException error = ApiException.badRequest("malformed HTTP request",
                "the body's framing cannot be read (" + ErrorResponder.decoderProblem(cause) + ")");
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
                Unpooled.wrappedBuffer(ErrorResponder.body(error).getBytes()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, Responses.JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private static ApiException refusal(HttpRequest request) {
        HttpVersion version = request.protocolVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
            // the protocol name is case-sensitive (RFC 9112): "http/1.1" is not HTTP/1.1, whatever Netty makes of it
            return new ApiException(505, "HTTP version not supported",
                    "this server speaks HTTP/1.1 and HTTP/1.0, written exactly so; the request said "
                            + WireText.echo(version.text()), 0);
        }
        Iterator<String> hosts = request.headers().valueStringIterator(HttpHeaderNames.HOST);
        if (!hosts.hasNext()) {
            if (version == HttpVersion.HTTP_1_1) {
                return ApiException.badRequest("missing Host header", "an HTTP/1.1 request must name the host it is for");
            }
        } else if (!validAuthority(hosts.next())) {
            return ApiException.badRequest("invalid Host header", "the Host header must be a host name or address, "
                    + "with an optional port");
        } else if (hosts.hasNext()) {
            return ApiException.badRequest("more than one Host header", "send the Host header once");
        }
        String target = RequestTarget.problem(request.uri());
        return target == null ? null : ApiException.badRequest("invalid request target", target);
    }
}
