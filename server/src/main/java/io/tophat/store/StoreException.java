package io.tophat.store;

/**
 * A store operation failed. The message says what and where, for the operator's log: the file, the database's
 * address, the driver's words. The {@link #condition()} says what is wrong in words a client may read, with no
 * file, path, URL, host or driver message in them ("the disk is full"). The cause holds the driver's error.
 */
public class StoreException extends RuntimeException {
    /** The condition when nothing more precise is known. */
    public static final String UNAVAILABLE = "the store is unavailable";

    private final String condition;

    public StoreException(String message, Throwable cause) {
        this(message, UNAVAILABLE, cause);
    }

    public StoreException(String message, String condition, Throwable cause) {
        super(message, cause);
        this.condition = condition == null ? UNAVAILABLE : condition;
    }

    /** What is wrong, for a client's eyes: never a path, a URL or a host. */
    public String condition() {
        return condition;
    }

    /**
     * The condition of any failure: that of the first {@link StoreException} among it and its causes, else
     * {@link #UNAVAILABLE}.
     */
    public static String conditionOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StoreException e) {
                return e.condition();
            }
        }
        return UNAVAILABLE;
    }
}
