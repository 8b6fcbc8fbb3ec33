package io.tophat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The balancer's answer to a worker's registration or lease renewal.
 *
 * @param id              the worker's id at the balancer (used in the lease and quit paths)
 * @param url             the base URL the balancer sends producers and consumers to
 * @param leaseIntervalMs how often to renew; three missed renewals mark the worker dead
 */
public record WorkerLease(@JsonProperty("id") String id,
                          @JsonProperty("url") String url,
                          @JsonProperty("lease_interval_ms") long leaseIntervalMs) {
}
