package io.tophat.client;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Builds the {@link HttpClient} the producer and consumer use: HTTP/1.1, a connect timeout, and redirects never
 * followed automatically (the library follows them itself, so it can see and time each hop). Several producers
 * or consumers may share one client. HTTPS trusts the JVM's certificate authorities, or only those of a PEM file.
 */
public final class TopHatHttpClients {

    private TopHatHttpClients() {
    }

    public static HttpClient create(Duration connectTimeout) {
        return create(connectTimeout, null);
    }

    /** @param ca a PEM file of the certificate authorities to trust for HTTPS; null for the JVM's */
    public static HttpClient create(Duration connectTimeout, Path ca) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout);
        if (ca != null) {
            builder.sslContext(TrustedCertificates.sslContext(ca));
        }
        return builder.build();
    }
}
