package io.tophat.client;

import io.tophat.protocol.ProducerId;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a {@link TopHatProducer} behaves.
 *
 * @param balancers      balancer base addresses, tried in turn (default: the one given)
 * @param producerId     the producer's id, 1-64 of {@code [A-Za-z0-9._:-]}
 * @param maxRetries     how many times a failed delivery or registration is retried before the heartbeat is left
 *                       in the offline buffer, {@value #RETRY_FOREVER} for no limit (default: 10)
 * @param connectTimeout how long to wait for a connection (default: 2s)
 * @param requestTimeout how long to wait for each answer (default: 5s)
 * @param backoffBase    the largest pause before the first retry; it doubles per retry (default: 100ms)
 * @param backoffMax     the cap of the doubling pause (default: 5s)
 * @param bufferCapacity how many heartbeats wait while no worker is reachable; the oldest is dropped when full
 *                       (default: 1000)
 * @param token          the producer's token ({@code tophat token ID}), sent as {@code Authorization: Bearer} on
 *                       registration and heartbeats; null for an open deployment (default)
 * @param ca             a PEM file of the certificate authorities trusted for HTTPS in place of the JVM's
 *                       ({@code --ca}); null for the JVM's (default)
 */
public record ProducerConfig(List<URI> balancers, String producerId, int maxRetries, Duration connectTimeout,
                             Duration requestTimeout, Duration backoffBase, Duration backoffMax, int bufferCapacity,
                             String token, Path ca) {
    public static final int RETRY_FOREVER = -1;
    public static final int DEFAULT_MAX_RETRIES = 10;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(100);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(5);
    public static final int DEFAULT_BUFFER_CAPACITY = 1000;

    public ProducerConfig {
        balancers = Endpoints.bases(balancers);
        ProducerId.require(producerId);
        if (maxRetries < RETRY_FOREVER) {
            throw new IllegalArgumentException("maxRetries must be at least 0, or -1 to retry forever (was " + maxRetries + ")");
        }
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("requestTimeout", requestTimeout);
        requirePositive("backoffBase", backoffBase);
        requirePositive("backoffMax", backoffMax);
        if (backoffMax.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("backoffMax (" + backoffMax + ") must not be below backoffBase (" + backoffBase + ")");
        }
        if (bufferCapacity < 1) {
            throw new IllegalArgumentException("bufferCapacity must be at least 1 (was " + bufferCapacity + ")");
        }
    }

    /** The defaults above for one producer talking to the given balancers. */
    public static ProducerConfig of(String producerId, List<URI> balancers) {
        return new ProducerConfig(balancers, producerId, DEFAULT_MAX_RETRIES, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_REQUEST_TIMEOUT, DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_MAX, DEFAULT_BUFFER_CAPACITY, null, null);
    }

    public static ProducerConfig of(String producerId, URI balancer) {
        return of(producerId, List.of(balancer));
    }

    public ProducerConfig withProducerId(String id) {
        return new ProducerConfig(balancers, id, maxRetries, connectTimeout, requestTimeout, backoffBase, backoffMax, bufferCapacity, token, ca);
    }

    public ProducerConfig withMaxRetries(int retries) {
        return new ProducerConfig(balancers, producerId, retries, connectTimeout, requestTimeout, backoffBase, backoffMax, bufferCapacity, token, ca);
    }

    public ProducerConfig withTimeouts(Duration connect, Duration request) {
        return new ProducerConfig(balancers, producerId, maxRetries, connect, request, backoffBase, backoffMax, bufferCapacity, token, ca);
    }

    public ProducerConfig withBackoff(Duration base, Duration max) {
        return new ProducerConfig(balancers, producerId, maxRetries, connectTimeout, requestTimeout, base, max, bufferCapacity, token, ca);
    }

    public ProducerConfig withBufferCapacity(int capacity) {
        return new ProducerConfig(balancers, producerId, maxRetries, connectTimeout, requestTimeout, backoffBase, backoffMax, capacity, token, ca);
    }

    /** The same, presenting {@code producerToken} ({@code tophat token ID} prints it). */
    public ProducerConfig withToken(String producerToken) {
        return new ProducerConfig(balancers, producerId, maxRetries, connectTimeout, requestTimeout, backoffBase,
                backoffMax, bufferCapacity, producerToken == null || producerToken.isBlank() ? null : producerToken.strip(), ca);
    }

    /** The same, trusting for HTTPS only the certificate authorities in {@code pemFile} (null: the JVM's). */
    public ProducerConfig withCa(Path pemFile) {
        return new ProducerConfig(balancers, producerId, maxRetries, connectTimeout, requestTimeout, backoffBase,
                backoffMax, bufferCapacity, token, pemFile);
    }

    static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration (was " + d + ")");
        }
    }
}
