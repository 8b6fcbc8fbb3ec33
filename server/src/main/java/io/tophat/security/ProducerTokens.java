package io.tophat.security;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

/**
 * A producer's token: the HMAC-SHA256 of its id under a device secret, in URL-safe base64. Any process holding
 * the device secret can make and check every producer's token without a lookup or any per-phone state; a token
 * for one id never checks out for another. Tokens made with any of the accepted device secrets are valid.
 */
public final class ProducerTokens {
    private static final String ALGORITHM = "HmacSHA256";
    private static final byte[] CONTEXT = "tophat-producer:".getBytes(StandardCharsets.US_ASCII);

    private final List<ThreadLocal<Mac>> macs;

    public ProducerTokens(Secrets deviceSecrets) {
        this.macs = deviceSecrets.all().stream().map(ProducerTokens::macFor).toList();
    }

    private static ThreadLocal<Mac> macFor(byte[] secret) {
        SecretKeySpec key = new SecretKeySpec(secret, ALGORITHM);
        return ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance(ALGORITHM);
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("this JVM has no " + ALGORITHM, e);
            }
        });
    }

    /** The token of {@code producer} under the first device secret. */
    public String token(String producer) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest(macs.get(0).get(), producer));
    }

    /** Whether {@code token} is {@code producer}'s under one of the device secrets (constant-time compare). */
    public boolean valid(String producer, String token) {
        if (token == null || token.length() != 43) {
            return false;
        }
        byte[] presented;
        try {
            presented = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return false;
        }
        boolean ok = false;
        for (ThreadLocal<Mac> mac : macs) {
            ok |= MessageDigest.isEqual(digest(mac.get(), producer), presented);
        }
        return ok;
    }

    private static byte[] digest(Mac mac, String producer) {
        mac.update(CONTEXT);
        return mac.doFinal(producer.getBytes(StandardCharsets.UTF_8));
    }
}
