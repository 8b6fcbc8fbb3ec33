package io.tophat.balancer;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tophat.protocol.WorkerLoad;

import java.util.List;

/**
 * What {@code GET /api/v1/cluster} answers: the strategy, the lease interval, the producers assigned, and every
 * worker known.
 */
record ClusterView(@JsonProperty("strategy") String strategy, @JsonProperty("lease_interval_ms") long leaseIntervalMs,
                   @JsonProperty("producers") int producers, @JsonProperty("workers") List<WorkerView> workers) {

    /** One worker as the balancer sees it. */
    record WorkerView(@JsonProperty("id") String id, @JsonProperty("url") String url,
                      @JsonProperty("alive") boolean alive, @JsonProperty("assignable") boolean assignable,
                      @JsonProperty("draining") boolean draining,
                      @JsonProperty("store_failing_ms") long storeFailingMs,
                      @JsonProperty("producers") long producers,
                      @JsonProperty("registered_by") String registeredBy,
                      @JsonProperty("last_renewal_ms_ago") long lastRenewalMsAgo,
                      @JsonProperty("store") String store, @JsonProperty("load") WorkerLoad load) {
    }
}
