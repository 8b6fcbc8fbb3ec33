package io.tophat.testing;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * The test-only TLS fixtures of {@code src/test/resources/tls/} (see the README there): a self-signed certificate
 * for {@code localhost} and {@code 127.0.0.1}, its key, and a client {@link SSLContext} that trusts it and nothing
 * else.
 */
public final class TestTls {
    private TestTls() {
    }

    /** The certificate, PEM. */
    public static Path certificate() {
        return fixture("server.crt");
    }

    /** Its private key, PEM (PKCS#8, unencrypted). */
    public static Path key() {
        return fixture("server.key");
    }

    /** A TLS client context trusting the test certificate only. */
    public static SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(certificate())) {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("tophat-test", cert);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust the test certificate", e);
        }
    }

    /** A fixture as a file: in place where the test classes are a directory, else copied to the temporary directory. */
    private static Path fixture(String name) {
        URL url = TestTls.class.getResource("/tls/" + name);
        if (url == null) {
            throw new IllegalStateException("no test fixture tls/" + name + " on the class path");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            Path copy = Path.of(System.getProperty("java.io.tmpdir"), "tophat-test-tls-" + name);
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
