package io.tophat.security;

/**
 * How a balancer or worker defends itself: who may call it ({@link AuthConfig}) and how often one producer may.
 *
 * @param auth         the credentials it checks
 * @param producerRate each producer's requests a second and burst ({@code --producer-rate}, {@code
 *                     --producer-burst}); a batch counts as one request
 */
public record SecurityConfig(AuthConfig auth, RateLimit producerRate) {
    /** Open and unlimited: the report's protocol, for embedding and tests. */
    public static final SecurityConfig OPEN = new SecurityConfig(AuthConfig.OPEN, RateLimit.NONE);

    public SecurityConfig {
        if (auth == null || producerRate == null) {
            throw new IllegalArgumentException("security settings need an auth mode and a producer rate");
        }
    }

    /** The door these settings make; {@code keys} gives the consumer keys known at each moment. */
    public Access access(java.util.function.Supplier<KeyRing> keys) {
        return new Access(auth, producerRate, keys);
    }
}
