package io.tophat.security;

/**
 * How a balancer or worker tells who calls it.
 *
 * @param open    {@code --auth none}: the report's open protocol, every endpoint open to anyone who can reach it
 * @param cluster the cluster secret ({@code --cluster-secret-file}, {@code TOPHAT_CLUSTER_SECRET}): between
 *                balancers and workers, and the operators' credential for everything; null when open
 * @param device  the device secret ({@code --device-secret-file}, {@code TOPHAT_DEVICE_SECRET}) producer tokens are
 *                derived from; null when open
 */
public record AuthConfig(boolean open, Secrets cluster, Secrets device) {
    public static final AuthConfig OPEN = new AuthConfig(true, null, null);

    public AuthConfig {
        if (!open && cluster == null) {
            throw new IllegalArgumentException("pass --cluster-secret-file FILE (or set TOPHAT_CLUSTER_SECRET), "
                    + "or --auth none for an open deployment");
        }
        if (!open && device == null) {
            throw new IllegalArgumentException("pass --device-secret-file FILE (or set TOPHAT_DEVICE_SECRET) for the "
                    + "producers' tokens, or --auth none for an open deployment");
        }
    }

    /** Secured with these secrets. */
    public static AuthConfig secured(Secrets cluster, Secrets device) {
        return new AuthConfig(false, cluster, device);
    }

    /** The value of the Authorization header on calls to other processes of the cluster; null when open. */
    public String clusterAuthorization() {
        return open ? null : "Bearer " + cluster.current();
    }
}
