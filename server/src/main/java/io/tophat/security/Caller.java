package io.tophat.security;

/**
 * Who a request came from, once its credential checked out: anyone (an open deployment), the cluster (a process
 * of it, or an operator holding the cluster secret), or a consumer key with its scope.
 */
public final class Caller {
    public static final Caller ANYONE = new Caller(null);
    public static final Caller CLUSTER = new Caller(null);

    private final ConsumerKey key;

    private Caller(ConsumerKey key) {
        this.key = key;
    }

    static Caller consumer(ConsumerKey key) {
        return new Caller(key);
    }

    /** The consumer key, or null for the cluster or anyone. */
    public ConsumerKey key() {
        return key;
    }

    /** Whether the caller reaches this producer's data. */
    public boolean allows(String producer) {
        return key == null || key.scope().allows(producer);
    }

    /** Whether the caller reaches every producer (no filtering needed). */
    public boolean everyProducer() {
        return key == null || key.scope().everyProducer();
    }
}
