package io.tophat.http;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.PemTrustOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * TLS on both sides of a server: the certificate it answers HTTPS with, and the certificate authorities its own
 * calls to other TopHat servers trust (a worker's to its balancers, a balancer's to its workers).
 *
 * @param server    {@code --tls-cert} and {@code --tls-key}; empty serves plain HTTP
 * @param trustedCa {@code --ca}: a PEM file of certificate authorities trusted in place of the JVM's; empty for
 *                  the JVM's
 */
public record TlsConfig(Optional<ServerTls> server, Optional<Path> trustedCa) {
    public static final TlsConfig NONE = new TlsConfig(Optional.empty(), Optional.empty());

    public TlsConfig {
        if (server == null || trustedCa == null) {
            throw new IllegalArgumentException("TLS settings need a server certificate or none, a CA file or none");
        }
        trustedCa.ifPresent(ca -> {
            if (!Files.isRegularFile(ca) || !Files.isReadable(ca)) {
                throw new IllegalArgumentException("--ca " + ca + ": no such readable file");
            }
        });
    }

    /** The scheme of this server's own URL. */
    public String scheme() {
        return server.isPresent() ? "https" : "http";
    }

    /** {@code options}, trusting {@link #trustedCa} when given; an {@code https} request URI turns TLS on. */
    public HttpClientOptions client(HttpClientOptions options) {
        trustedCa.ifPresent(ca -> options.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
        return options;
    }
}
