package io.tophat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * The balancer's answer to a worker's registration or lease renewal.
 *
 * @param id              the worker's id at the balancer (used in the lease, drain and quit paths)
 * @param url             the base URL the balancer sends producers and consumers to
 * @param leaseIntervalMs how often to renew, as the balancer is configured; three missed renewals mark the
 *                        worker dead
 * @param producers       how many producers the balancer has assigned to this worker
 * @param draining        true when the worker is being drained: it takes no new producers and should leave
 * @param assignable      false while the balancer gives this worker no new producers (dead, draining, reported
 *                        failing, or its store fails writes)
 * @param revoked         producers moved to another worker and not yet acknowledged, with the epoch of the move:
 *                        the worker refuses their heartbeats (409) until they are granted back at a later epoch
 * @param granted         producers assigned to this worker and not yet acknowledged, with their epoch
 * @param ackToken        to send back as {@link LeaseRenewal#ack()} once {@code revoked} and {@code granted} are
 *                        applied; until then the balancer sends them again in every answer
 * @param report          true when the balancer wants the producers this worker holds in its next renewal
 * @param keysVersion     the fingerprint of the consumer keys the balancer knows (0: none)
 * @param keys            those keys (hashes and scopes), sent when the worker's renewal named another version;
 *                        null when it holds them already
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record WorkerLease(@JsonProperty("id") String id,
                          @JsonProperty("url") String url,
                          @JsonProperty("lease_interval_ms") long leaseIntervalMs,
                          @JsonProperty("producers") long producers,
                          @JsonProperty("draining") boolean draining,
                          @JsonProperty("assignable") boolean assignable,
                          @JsonProperty("revoked") Map<String, Long> revoked,
                          @JsonProperty("granted") Map<String, Long> granted,
                          @JsonProperty("ack_token") String ackToken,
                          @JsonProperty("report") boolean report,
                          @JsonProperty("keys_version") long keysVersion,
                          @JsonProperty("keys") @JsonInclude(JsonInclude.Include.NON_NULL) java.util.List<KeyGrant> keys) {

    public WorkerLease {
        revoked = revoked == null ? Map.of() : revoked;
        granted = granted == null ? Map.of() : granted;
    }
}
