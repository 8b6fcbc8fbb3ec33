package io.tophat.worker;

/**
 * A heartbeat body the worker refuses, and why. {@code malformed} bodies cannot be read at all (not UTF-8, not
 * JSON); the others are readable but wrong. {@link IngestHandler} maps them: seed path 400 for both, API v1 400
 * and 422.
 */
public final class HeartbeatRejected extends RuntimeException {
    private final boolean malformed;
    private final String error;
    private final String detail;

    private HeartbeatRejected(boolean malformed, String error, String detail) {
        super(error + ": " + detail, null, false, false);
        this.malformed = malformed;
        this.error = error;
        this.detail = detail;
    }

    static HeartbeatRejected malformed(String error, String detail) {
        return new HeartbeatRejected(true, error, detail);
    }

    static HeartbeatRejected invalid(String detail) {
        return new HeartbeatRejected(false, "invalid heartbeat", detail);
    }

    public boolean isMalformed() {
        return malformed;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return detail;
    }
}
