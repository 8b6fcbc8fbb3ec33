package io.tophat.client;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a {@link TopHatConsumer} behaves.
 *
 * @param balancers      balancer base addresses, tried in turn when one cannot be reached
 * @param connectTimeout how long to wait for a connection (default: 2s)
 * @param requestTimeout how long to wait for each answer, per hop (default: 5s)
 * @param maxBodyBytes   the largest answer body accepted (default: 4 MiB)
 * @param streamIdleTimeout how long a {@link Watch} waits for any data, keep-alives included, before it takes the
 *                       stream for dead and reconnects (default: 45s, three of the servers' default keep-alives)
 * @param key            the consumer key (or the cluster secret) sent as {@code Authorization: Bearer} to the
 *                       balancer and, after a redirect, to the worker; null for an open deployment (default)
 * @param ca             a PEM file of the certificate authorities trusted for HTTPS in place of the JVM's
 *                       ({@code --ca}); null for the JVM's (default)
 */
public record ConsumerConfig(List<URI> balancers, Duration connectTimeout, Duration requestTimeout, int maxBodyBytes,
                             Duration streamIdleTimeout, String key, Path ca) {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
    public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofSeconds(45);

    public ConsumerConfig {
        balancers = Endpoints.bases(balancers);
        ProducerConfig.requirePositive("connectTimeout", connectTimeout);
        ProducerConfig.requirePositive("requestTimeout", requestTimeout);
        ProducerConfig.requirePositive("streamIdleTimeout", streamIdleTimeout);
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be at least 1024 (was " + maxBodyBytes + ")");
        }
    }

    public static ConsumerConfig of(List<URI> balancers) {
        return new ConsumerConfig(balancers, DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_MAX_BODY_BYTES,
                DEFAULT_STREAM_IDLE_TIMEOUT, null, null);
    }

    public static ConsumerConfig of(URI balancer) {
        return of(List.of(balancer));
    }

    public ConsumerConfig withTimeouts(Duration connect, Duration request) {
        return new ConsumerConfig(balancers, connect, request, maxBodyBytes, streamIdleTimeout, key, ca);
    }

    public ConsumerConfig withStreamIdleTimeout(Duration idle) {
        return new ConsumerConfig(balancers, connectTimeout, requestTimeout, maxBodyBytes, idle, key, ca);
    }

    /** The same, presenting {@code consumerKey} (a key from {@code tophat keys add}, or the cluster secret). */
    public ConsumerConfig withKey(String consumerKey) {
        return new ConsumerConfig(balancers, connectTimeout, requestTimeout, maxBodyBytes, streamIdleTimeout,
                consumerKey == null || consumerKey.isBlank() ? null : consumerKey.strip(), ca);
    }

    /** The same, trusting for HTTPS only the certificate authorities in {@code pemFile} (null: the JVM's). */
    public ConsumerConfig withCa(Path pemFile) {
        return new ConsumerConfig(balancers, connectTimeout, requestTimeout, maxBodyBytes, streamIdleTimeout, key,
                pemFile);
    }
}
