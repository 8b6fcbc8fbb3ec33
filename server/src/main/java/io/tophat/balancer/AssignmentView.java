package io.tophat.balancer;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What {@code POST /api/v1/producers/{id}/assignment} answers. */
record AssignmentView(@JsonProperty("producer") String producer, @JsonProperty("worker") String worker,
                      @JsonProperty("epoch") long epoch) {
}
