package io.tophat.balancer;

/**
 * A worker as the balancer knows it.
 *
 * @param id           its id at the balancer: the host:port of its URL
 * @param url          the base URL producers and consumers are sent to
 * @param store        the identity of its store, or null when unknown (seed registration)
 * @param seed         true when it registered through the seed protocol ({@code GET /balancer/{port}}), which
 *                     renews by registering again
 * @param registeredAt when it registered, in milliseconds since the epoch
 */
public record Worker(String id, String url, String store, boolean seed, long registeredAt) {

    /** The id of the worker at {@code url}: its host and port. */
    public static String idOf(String url) {
        java.net.URI uri = java.net.URI.create(url);
        return uri.getHost() + ":" + uri.getPort();
    }
}
