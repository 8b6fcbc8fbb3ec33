package io.tophat.client;

import io.tophat.protocol.Heartbeat;

import java.util.List;

/**
 * One page of a producer's history as the balancer answered it.
 *
 * @param producer   whose history
 * @param heartbeats the records, in the order asked for
 * @param next       the cursor to the next page, or null after the last
 * @param complete   false when a store holding part of the history could not be read
 * @param missing    the workers whose stores could not be read
 */
public record HistoryPage(String producer, List<Heartbeat> heartbeats, String next, boolean complete,
                          List<String> missing) {
}
