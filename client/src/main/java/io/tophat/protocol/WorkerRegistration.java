package io.tophat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/**
 * What a worker sends to {@code POST /api/v1/workers}. The lease interval is the balancer's to choose; it comes
 * back in the {@link WorkerLease}.
 *
 * @param url         the base URL producers and consumers should use, or null to let the balancer use the
 *                    request's source address with {@code port}
 * @param port        the worker's port (used when {@code url} is null)
 * @param store       the identity of the worker's store (workers sharing a database report the same one), or null
 * @param storeProof  the secret written in the store when it was created: proves the worker holds that store
 * @param storeShared true when the store is a database several workers share (then its identity need not be unique)
 * @param holds       the producers this worker holds, with the epoch it was granted each at (0: heartbeats seen,
 *                    no grant yet), so that a balancer that lost its state can rebuild it
 * @param tls         the worker serves HTTPS: with {@code port}, the balancer builds an {@code https} URL
 * @param commitKey   a commit key of its store that every heartbeat the worker committed since this balancer last
 *                    heard from it (since it started, at its first registration) comes after, so a stream that
 *                    began before it joined replays those from its store; null when unknown
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerRegistration(@JsonProperty("url") String url,
                                 @JsonProperty("port") int port,
                                 @JsonProperty("store") String store,
                                 @JsonProperty("store_proof") String storeProof,
                                 @JsonProperty("store_shared") boolean storeShared,
                                 @JsonProperty("holds") Map<String, Long> holds,
                                 @JsonProperty("tls") boolean tls,
                                 @JsonProperty("commit_key") Long commitKey) {

    public WorkerRegistration {
        holds = holds == null ? Map.of() : holds;
    }

    /** The same registration, reporting {@code held} producers and {@code key} as its commit key. */
    public WorkerRegistration holding(Map<String, Long> held, long key) {
        return new WorkerRegistration(url, port, store, storeProof, storeShared, held, tls, key);
    }
}
