package io.tophat.client;

import java.util.List;

/**
 * The producers near a point, nearest first.
 *
 * @param complete false when a worker did not answer (or is dead): producers it holds may be missing
 * @param missing  those workers, {@code host:port}
 */
public record NearAnswer(List<NearbyProducer> items, boolean complete, List<String> missing) {
    public NearAnswer {
        items = List.copyOf(items);
        missing = List.copyOf(missing);
    }
}
