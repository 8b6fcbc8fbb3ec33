package io.tophat.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The library's one way to talk HTTP: every request carries the request timeout, every body read is bounded, and
 * a failure to connect or to answer in time becomes an {@link UnreachableException}.
 */
final class Transport {
    private final HttpClient http;
    private final Duration requestTimeout;
    private final int maxBodyBytes;
    /** The Authorization header of every request, or null. */
    private final String authorization;

    Transport(HttpClient http, Duration requestTimeout, int maxBodyBytes, String credential) {
        this.authorization = credential == null ? null : "Bearer " + credential;
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.maxBodyBytes = maxBodyBytes;
    }

    Reply get(URI uri) throws InterruptedException {
        return exchange(builder(uri).GET().build());
    }

    Reply postJson(URI uri, byte[] json) throws InterruptedException {
        return exchange(builder(uri)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build());
    }

    Reply delete(URI uri) throws InterruptedException {
        return exchange(builder(uri).DELETE().build());
    }

    /**
     * Streams a 200 answer's body into {@code out} (no size limit, no timeout once the answer started, since an
     * export may be long); any other answer is returned whole, bounded, for the caller to report.
     */
    Reply stream(URI uri, java.io.OutputStream out, java.util.function.LongConsumer progress,
                 java.util.function.Consumer<java.net.http.HttpHeaders> beforeBody) throws InterruptedException {
        HttpRequest request = builder(uri).GET().build();
        try {
            var response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    byte[] body = in.readNBytes(maxBodyBytes);
                    return new Reply(uri, response.statusCode(), response.headers(), body);
                }
                beforeBody.accept(response.headers());
                byte[] chunk = new byte[64 * 1024];
                long total = 0;
                for (int n; (n = in.read(chunk)) > 0; ) {
                    out.write(chunk, 0, n);
                    total += n;
                    progress.accept(total);
                }
                return new Reply(uri, 200, response.headers(), new byte[0]);
            }
        } catch (HttpTimeoutException e) {
            throw new UnreachableException(uri, true, e);
        } catch (IOException e) {
            throw new UnreachableException(uri, false, e);
        }
    }

    /** A request to {@code uri} with the timeout and the credential. */
    HttpRequest.Builder builder(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(requestTimeout);
        return authorization == null ? b : b.header("Authorization", authorization);
    }

    private Reply exchange(HttpRequest request) throws InterruptedException {
        try {
            var response = http.send(request, BoundedBody.handler(maxBodyBytes));
            return new Reply(request.uri(), response.statusCode(), response.headers(), response.body());
        } catch (HttpTimeoutException e) {
            throw new UnreachableException(request.uri(), true, e);
        } catch (IOException e) {
            throw new UnreachableException(request.uri(), false, e);
        }
    }
}
