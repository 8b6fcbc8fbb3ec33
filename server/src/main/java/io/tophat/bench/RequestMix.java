package io.tophat.bench;

import io.vertx.core.http.HttpMethod;

import java.util.List;

/**
 * What a load run sends: request {@code n} (0, 1, 2, ... over the whole run) goes to
 * {@code targets().get(target(n))}, with a body written by {@link #fillBody}. The load generator encodes each
 * target's request head once, before the run; on the hot path a mix only picks an index and, for requests with
 * a body, overwrites a few bytes of a per-connection buffer.
 */
public interface RequestMix {

    HttpMethod method();

    /** The distinct request targets (path and query), encoded once by the generator. */
    List<String> targets();

    /** The index in {@link #targets()} of request {@code n}. */
    int target(long n);

    /** The request target of request {@code n}. */
    default String uri(long n) {
        return targets().get(target(n));
    }

    /** The value of the Authorization header of {@code targets().get(target)}, or null for none. */
    default String authorization(int target) {
        return null;
    }

    /** The value of the Content-Type header, or null for requests without a body. */
    default String contentType() {
        return null;
    }

    /** The body every request's body starts from (all bodies have its size), or null for requests without a body. */
    default byte[] bodyTemplate() {
        return null;
    }

    /** Overwrites, in a copy of {@link #bodyTemplate()}, the bytes that differ in the body of request {@code n}. */
    default void fillBody(BodyBytes body, long n) {
    }

    /** The body of request {@code n} as a new array, for code that is not on the hot path; null without a body. */
    default byte[] bodyFor(long n) {
        byte[] template = bodyTemplate();
        if (template == null) {
            return null;
        }
        byte[] body = template.clone();
        fillBody((index, value) -> body[index] = value, n);
        return body;
    }

    /** Where {@link #fillBody} writes: the body's bytes, wherever the generator keeps them. */
    @FunctionalInterface
    interface BodyBytes {
        void setByte(int index, byte value);

        /** Writes {@code value} as {@code width} decimal digits from {@code at}, zero-padded on the left. */
        default void digits(int at, int width, long value) {
            long v = value;
            for (int i = width - 1; i >= 0; i--) {
                setByte(at + i, (byte) ('0' + (int) (v % 10)));
                v /= 10;
            }
        }
    }

    /** GET requests going round the given targets, in order. */
    static RequestMix get(List<String> uris) {
        return new GetMix(uris);
    }

    /** GET requests going round the given targets, each presenting {@code credential} as a Bearer token. */
    static RequestMix get(List<String> uris, String credential) {
        if (credential == null) {
            return new GetMix(uris);
        }
        String authorization = "Bearer " + credential;
        return new GetMix(uris) {
            @Override
            public String authorization(int target) {
                return authorization;
            }
        };
    }

    /** GET requests of one target. */
    static RequestMix get(String uri) {
        return new GetMix(List.of(uri));
    }

    /** Request {@code n} of {@code mix}, but sent to one fixed target: the same method and body as the mix. */
    static RequestMix sameShapeTo(RequestMix mix, String uri) {
        List<String> only = List.of(uri);
        return new RequestMix() {
            @Override
            public HttpMethod method() {
                return mix.method();
            }

            @Override
            public List<String> targets() {
                return only;
            }

            @Override
            public int target(long n) {
                return 0;
            }

            @Override
            public String contentType() {
                return mix.contentType();
            }

            @Override
            public byte[] bodyTemplate() {
                return mix.bodyTemplate();
            }

            @Override
            public void fillBody(BodyBytes body, long n) {
                mix.fillBody(body, n);
            }
        };
    }

    /** GET requests over a list of targets. */
    class GetMix implements RequestMix {
        private final List<String> uris;

        GetMix(List<String> uris) {
            if (uris.isEmpty()) {
                throw new IllegalArgumentException("a request mix needs at least one target");
            }
            this.uris = List.copyOf(uris);
        }

        @Override
        public HttpMethod method() {
            return HttpMethod.GET;
        }

        @Override
        public List<String> targets() {
            return uris;
        }

        @Override
        public int target(long n) {
            return (int) (n % uris.size());
        }
    }
}
