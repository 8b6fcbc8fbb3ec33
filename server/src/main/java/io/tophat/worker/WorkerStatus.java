package io.tophat.worker;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.tophat.protocol.WorkerLoad;

/** What {@code GET /api/v1/status} answers: the worker's own view of itself. */
record WorkerStatus(@JsonProperty("role") String role,
                    @JsonProperty("url") String url,
                    @JsonProperty("ack") String ack,
                    @JsonProperty("heartbeats_acknowledged") long heartbeatsAcknowledged,
                    @JsonProperty("heartbeats_rejected") long heartbeatsRejected,
                    @JsonProperty("write_queue") int writeQueue,
                    @JsonProperty("store_backlog") long storeBacklog,
                    @JsonProperty("heap_used_bytes") long heapUsedBytes,
                    @JsonProperty("heap_max_bytes") long heapMaxBytes,
                    @JsonProperty("stream_subscribers") int streamSubscribers,
                    @JsonProperty("streams_lagged") long streamsLagged,
                    @JsonProperty("load") WorkerLoad load) {
}
