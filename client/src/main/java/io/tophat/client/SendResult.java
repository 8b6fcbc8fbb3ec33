package io.tophat.client;

/**
 * The result of {@link TopHatProducer#send}.
 *
 * @param seq      the sequence number the heartbeat was given
 * @param delivery what became of it
 * @param detail   the worker's message when rejected, the last failure when buffered, else empty
 */
public record SendResult(long seq, Delivery delivery, String detail) {
}
