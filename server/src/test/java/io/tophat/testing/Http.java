package io.tophat.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for tests: no redirects followed, every call with a timeout. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    private Http() {
    }

    public static HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    public static HttpResponse<String> get(String uri) {
        return get(URI.create(uri));
    }

    public static HttpResponse<String> post(String uri, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** Posts {@code body} in chunks, without a Content-Length, as a client streaming a body of unknown size. */
    public static HttpResponse<String> postChunked(String uri, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(URI.create(uri)).version(HttpClient.Version.HTTP_1_1)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))));
    }

    public static HttpResponse<String> postJson(String uri, String json) {
        return post(uri, "application/json", json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public static HttpResponse<String> send(String method, String uri, String body) {
        return send(HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)));
    }

    /** As {@link #send(String, String, String)}, presenting {@code credential} as a Bearer token (null: none). */
    public static HttpResponse<String> send(String method, String uri, String body, String credential) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        return send(request);
    }

    /** Follows one redirect by hand, as a consumer does. */
    public static HttpResponse<String> getFollowing(String uri) {
        HttpResponse<String> first = get(uri);
        if (first.statusCode() / 100 == 3) {
            return get(first.headers().firstValue("Location").orElseThrow());
        }
        return first;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
