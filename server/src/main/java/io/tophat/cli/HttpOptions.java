package io.tophat.cli;

import io.tophat.http.HttpLimits;
import io.tophat.http.ServerTls;
import io.tophat.http.TlsConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The HTTP layer's flags a balancer and a worker share: timeouts, connection caps and TLS. */
final class HttpOptions {
    @Option(names = "--request-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TOPHAT_REQUEST_TIMEOUT:-" + HttpLimits.DEFAULT_REQUEST_TIMEOUT + "}",
            description = "Longest a request may take to arrive, from its first byte to its last body byte; then "
                    + "408 and the connection is closed (default: ${DEFAULT-VALUE}, env TOPHAT_REQUEST_TIMEOUT).")
    Duration requestTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "${env:TOPHAT_IDLE_TIMEOUT:-" + HttpLimits.DEFAULT_IDLE_TIMEOUT + "}",
            description = "A connection with no traffic either way for this long is closed (default: "
                    + "${DEFAULT-VALUE}, env TOPHAT_IDLE_TIMEOUT).")
    Duration idleTimeout;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "${env:TOPHAT_MAX_CONNECTIONS}",
            description = "Most connections the server holds at once; one more is answered 503 and closed at once; "
                    + "0 for no cap (default: the open file limit less " + HttpLimits.DESCRIPTOR_RESERVE
                    + ", at least " + HttpLimits.LEAST_DERIVED_MAX_CONNECTIONS + "; env TOPHAT_MAX_CONNECTIONS).")
    Integer maxConnections;

    @Option(names = "--max-connections-per-address", paramLabel = "N",
            defaultValue = "${env:TOPHAT_MAX_CONNECTIONS_PER_ADDRESS:-"
                    + HttpLimits.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS + "}",
            description = "Most connections one source IP address holds; beyond it, 503 and closed; 0 for no cap "
                    + "(default: ${DEFAULT-VALUE}, env TOPHAT_MAX_CONNECTIONS_PER_ADDRESS).")
    int maxConnectionsPerAddress;

    @Option(names = "--tls-cert", paramLabel = "FILE", defaultValue = "${env:TOPHAT_TLS_CERT}",
            description = "Serve HTTPS with this PEM certificate chain (the server's own certificate first); with "
                    + "--tls-key (env TOPHAT_TLS_CERT).")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", defaultValue = "${env:TOPHAT_TLS_KEY}",
            description = "The PEM private key of --tls-cert, PKCS#8 or PKCS#1, unencrypted (env TOPHAT_TLS_KEY).")
    Path tlsKey;

    @Option(names = "--ca", paramLabel = "FILE", defaultValue = "${env:TOPHAT_CA}",
            description = "Trust only the certificate authorities in this PEM file, instead of the JVM's, when "
                    + "calling other TopHat servers over HTTPS (env TOPHAT_CA).")
    Path ca;

    HttpLimits limits() {
        return new HttpLimits(requestTimeout, idleTimeout,
                maxConnections == null ? HttpLimits.DEFAULT_MAX_CONNECTIONS : maxConnections, maxConnectionsPerAddress);
    }

    TlsConfig tls() {
        return new TlsConfig(ServerTls.fromFlags(tlsCert, tlsKey), Optional.ofNullable(ca));
    }
}
