package io.tophat.client;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * Builds the {@link HttpClient} the producer and consumer use: HTTP/1.1, a connect timeout, and redirects never
 * followed automatically (the library follows them itself, so it can see and time each hop). Several producers
 * or consumers may share one client.
 */
public final class TopHatHttpClients {

    private TopHatHttpClients() {
    }

    public static HttpClient create(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .build();
    }
}
