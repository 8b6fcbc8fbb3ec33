package io.tophat.client;

import io.tophat.protocol.Heartbeat;

/**
 * One stored heartbeat as a stream delivered it.
 *
 * @param heartbeat the stored record
 * @param token     the resume token just after it: a watch started from it begins with the next heartbeat
 */
public record StreamedHeartbeat(Heartbeat heartbeat, String token) {
}
