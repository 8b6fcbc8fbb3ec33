package io.tophat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * The balancer's answer to a worker's registration or lease renewal.
 *
 * @param id              the worker's id at the balancer (used in the lease, drain and quit paths)
 * @param url             the base URL the balancer sends producers and consumers to
 * @param leaseIntervalMs how often to renew; three missed renewals mark the worker dead
 * @param producers       how many producers the balancer has assigned to this worker
 * @param draining        true when the worker is being drained: it takes no new producers and should leave
 * @param revoked         producers moved to another worker since the last renewal, with the epoch of the move:
 *                        the worker refuses their heartbeats (409) until they are granted back
 * @param granted         producers assigned to this worker since the last renewal, with their epoch
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record WorkerLease(@JsonProperty("id") String id,
                          @JsonProperty("url") String url,
                          @JsonProperty("lease_interval_ms") long leaseIntervalMs,
                          @JsonProperty("producers") long producers,
                          @JsonProperty("draining") boolean draining,
                          @JsonProperty("revoked") Map<String, Long> revoked,
                          @JsonProperty("granted") Map<String, Long> granted) {

    public WorkerLease {
        revoked = revoked == null ? Map.of() : revoked;
        granted = granted == null ? Map.of() : granted;
    }
}
