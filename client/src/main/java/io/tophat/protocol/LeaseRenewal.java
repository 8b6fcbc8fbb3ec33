package io.tophat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * What a worker sends with each lease renewal ({@code PUT /api/v1/workers/{id}/lease}).
 *
 * @param load           its load figures
 * @param ack            the {@link WorkerLease#ackToken()} of the last lease answer it applied: the balancer stops
 *                       resending the transfers that answer carried; null when it has applied none
 * @param holds          the producers it holds, with their epochs, when the last answer asked for a report
 *                       ({@link WorkerLease#report()}); null otherwise
 * @param storeFailingMs how long its store has failed every write, in milliseconds; 0 while writes succeed
 * @param keysVersion    the {@link WorkerLease#keysVersion()} of the consumer keys it holds from this balancer
 * @param commitKey      the commit key of the last heartbeat it committed (its store's at its start before any),
 *                       null when unknown: a stream that starts while this worker is away resumes its store from it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LeaseRenewal(@JsonProperty("load") WorkerLoad load,
                           @JsonProperty("ack") String ack,
                           @JsonProperty("holds") Map<String, Long> holds,
                           @JsonProperty("store_failing_ms") long storeFailingMs,
                           @JsonProperty("keys_version") long keysVersion,
                           @JsonProperty("commit_key") Long commitKey) {
}
