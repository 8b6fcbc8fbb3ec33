package io.tophat.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The load figures a worker sends with each lease renewal ({@code PUT /api/v1/workers/{id}/lease}).
 *
 * @param producersCached     producers whose latest heartbeat the worker holds in memory
 * @param heartbeatsPerSecond acknowledged heartbeats per second since the previous renewal
 * @param queueDepth          heartbeats waiting for the writer
 * @param p99IngestMillis     99th percentile time from receipt to answer since the previous renewal
 * @param store               the identity of the worker's store
 */
public record WorkerLoad(@JsonProperty("producers_cached") long producersCached,
                         @JsonProperty("heartbeats_per_second") double heartbeatsPerSecond,
                         @JsonProperty("queue_depth") int queueDepth,
                         @JsonProperty("p99_ingest_ms") double p99IngestMillis,
                         @JsonProperty("store") String store) {

    public static final WorkerLoad NONE = new WorkerLoad(0, 0, 0, 0, null);
}
