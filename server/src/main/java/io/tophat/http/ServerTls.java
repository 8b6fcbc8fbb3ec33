package io.tophat.http;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The certificate a server answers HTTPS with: a PEM certificate chain ({@code --tls-cert}, the server's own
 * certificate first) and its PEM private key ({@code --tls-key}, PKCS#8 or PKCS#1, unencrypted). The files are
 * read when the server starts.
 *
 * @param certPath the certificate chain file
 * @param keyPath  the private key file
 */
public record ServerTls(Path certPath, Path keyPath) {
    public ServerTls {
        if (certPath == null || keyPath == null) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together: give both, or neither to serve "
                    + "plain HTTP (" + (certPath == null ? "--tls-cert" : "--tls-key") + " is missing)");
        }
        checkReadable("--tls-cert", certPath);
        checkReadable("--tls-key", keyPath);
    }

    /** TLS from the two flags' values, each null when not given: empty when neither is. */
    public static Optional<ServerTls> fromFlags(Path certPath, Path keyPath) {
        return certPath == null && keyPath == null ? Optional.empty() : Optional.of(new ServerTls(certPath, keyPath));
    }

    private static void checkReadable(String flag, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(flag + " " + file + ": no such file");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(flag + " " + file + ": this process may not read it");
        }
    }
}
