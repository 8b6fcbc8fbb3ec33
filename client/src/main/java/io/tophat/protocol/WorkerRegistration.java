package io.tophat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What a worker sends to {@code POST /api/v1/workers}.
 *
 * @param url             the base URL producers and consumers should use, or null to let the balancer use the
 *                        request's source address with {@code port}
 * @param port            the worker's port (used when {@code url} is null)
 * @param store           the identity of the worker's store (workers sharing a database report the same one)
 * @param leaseIntervalMs how often the worker will renew its lease
 */
public record WorkerRegistration(@JsonProperty("url") String url,
                                 @JsonProperty("port") int port,
                                 @JsonProperty("store") String store,
                                 @JsonProperty("lease_interval_ms") long leaseIntervalMs) {
}
