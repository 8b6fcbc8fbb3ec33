package io.tophat.client;

import java.net.URI;

/** The answer to {@link TopHatConsumer#latestData}: the data, or why there is none. */
public sealed interface DataReply {

    /** The producer's latest data, as the text of one JSON value, served by {@code worker}. */
    record Data(String json, URI worker) implements DataReply {
    }

    /** The balancer does not know the producer (400 "Producer does not exist"). */
    record UnknownProducer(String message) implements DataReply {
    }

    /** The balancer knows the producer, but its worker holds no data for it yet (400 at the worker). */
    record NoData(URI worker, String message) implements DataReply {
    }
}
