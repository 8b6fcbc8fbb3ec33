package io.tophat.security;

import io.tophat.http.HttpLimits;
import io.tophat.http.TlsConfig;

/**
 * How a balancer or worker defends itself: who may call it ({@link AuthConfig}), how often one producer may, how
 * long and how many connections it holds, and whether it speaks TLS.
 *
 * @param auth         the credentials it checks
 * @param producerRate each producer's requests a second and burst ({@code --producer-rate}, {@code
 *                     --producer-burst}); a batch counts as one request
 * @param limits       the HTTP layer's timeouts and connection caps
 * @param tls          its certificate, and the authorities its calls to other TopHat servers trust
 */
public record SecurityConfig(AuthConfig auth, RateLimit producerRate, HttpLimits limits, TlsConfig tls) {
    /** Open and unlimited, over plain HTTP with the default timeouts: the report's protocol, for embedding and tests. */
    public static final SecurityConfig OPEN = new SecurityConfig(AuthConfig.OPEN, RateLimit.NONE, HttpLimits.DEFAULT,
            TlsConfig.NONE);

    public SecurityConfig {
        if (auth == null || producerRate == null || limits == null || tls == null) {
            throw new IllegalArgumentException("security settings need an auth mode, a producer rate, HTTP limits "
                    + "and TLS settings");
        }
    }

    /** Credentials checked as {@code settings} says, with the rest of these settings. */
    public SecurityConfig withAuth(AuthConfig settings, RateLimit rate) {
        return new SecurityConfig(settings, rate, limits, tls);
    }

    public SecurityConfig withTls(TlsConfig settings) {
        return new SecurityConfig(auth, producerRate, limits, settings);
    }

    /** The door these settings make; {@code keys} gives the consumer keys known at each moment. */
    public Access access(java.util.function.Supplier<KeyRing> keys) {
        return new Access(auth, producerRate, keys);
    }
}
