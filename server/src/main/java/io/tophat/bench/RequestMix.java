package io.tophat.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

import java.util.List;

/**
 * What a load run sends: request number {@code n} (0, 1, 2, ... over the whole run) goes to {@link #uri(long)},
 * with a body written by {@link #fillBody}. Everything is built before the run; on the hot path a mix only
 * picks a prepared string and overwrites a few bytes of a per-connection body buffer.
 */
public interface RequestMix {

    HttpMethod method();

    /** The request target of request {@code n} (path and query); the same string object every time. */
    String uri(long n);

    /** The value of the Content-Type header, or null for requests without a body. */
    default String contentType() {
        return null;
    }

    /** A body buffer that one connection reuses for all its requests, or null for requests without a body. */
    default Buffer newBody() {
        return null;
    }

    /** Writes the body of request {@code n} into {@code body} (a buffer from {@link #newBody}), in place. */
    default void fillBody(Buffer body, long n) {
    }

    /** A body for request {@code n} that the caller owns, for code that is not on the hot path. */
    default Buffer bodyFor(long n) {
        Buffer body = newBody();
        if (body != null) {
            fillBody(body, n);
        }
        return body;
    }

    /** GET requests going round the given targets, in order. */
    static RequestMix get(List<String> uris) {
        return new GetMix(uris);
    }

    /** GET requests of one target. */
    static RequestMix get(String uri) {
        return new GetMix(List.of(uri));
    }

    /** Request {@code n} of {@code mix}, but sent to one fixed target: the same method and body as the mix. */
    static RequestMix sameShapeTo(RequestMix mix, String uri) {
        return new RequestMix() {
            @Override
            public HttpMethod method() {
                return mix.method();
            }

            @Override
            public String uri(long n) {
                return uri;
            }

            @Override
            public String contentType() {
                return mix.contentType();
            }

            @Override
            public Buffer newBody() {
                return mix.newBody();
            }

            @Override
            public void fillBody(Buffer body, long n) {
                mix.fillBody(body, n);
            }
        };
    }

    /** GET requests over a prepared array of targets. */
    final class GetMix implements RequestMix {
        private final String[] uris;

        GetMix(List<String> uris) {
            if (uris.isEmpty()) {
                throw new IllegalArgumentException("a request mix needs at least one target");
            }
            this.uris = uris.toArray(String[]::new);
        }

        @Override
        public HttpMethod method() {
            return HttpMethod.GET;
        }

        @Override
        public String uri(long n) {
            return uris[(int) (n % uris.length)];
        }
    }
}
