package io.tophat.client;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * An {@link SSLContext} that trusts the certificate authorities of one PEM file ({@code --ca}) instead of the
 * JVM's: for a cluster whose certificates a private CA signed, or that serves a self-signed one.
 */
public final class TrustedCertificates {

    private TrustedCertificates() {
    }

    /**
     * @param pemFile one or more PEM certificates
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static SSLContext sslContext(Path pemFile) {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pemFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("--ca " + pemFile + " cannot be read (" + e.getClass().getSimpleName() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--ca " + pemFile + " is not a PEM certificate file");
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("--ca " + pemFile + " holds no certificate");
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + n++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JVM cannot build a trust store", e);
        }
    }
}
