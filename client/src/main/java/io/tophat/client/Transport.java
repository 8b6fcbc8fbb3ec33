package io.tophat.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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

    Transport(HttpClient http, Duration requestTimeout, int maxBodyBytes) {
        this.http = http;
        this.requestTimeout = requestTimeout;
        this.maxBodyBytes = maxBodyBytes;
    }

    Reply get(URI uri) throws InterruptedException {
        return exchange(HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build());
    }

    Reply postJson(URI uri, byte[] json) throws InterruptedException {
        return exchange(HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build());
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
