package io.tophat.http;

/**
 * A request that cannot be served, with the HTTP status (400-599) and the two parts of the JSON error body.
 * Thrown by handlers and rendered by {@link ErrorResponder}; never carries a stack trace to the client.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String error;
    private final String detail;
    private final int retryAfterSeconds;

    public ApiException(int status, String error, String detail, int retryAfterSeconds) {
        super(error + (detail == null ? "" : ": " + detail), null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status is between 400 and 599, not " + status);
        }
        this.status = status;
        this.error = error;
        this.detail = detail;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException badRequest(String error, String detail) {
        return new ApiException(400, error, detail, 0);
    }

    public static ApiException notFound(String error, String detail) {
        return new ApiException(404, error, detail, 0);
    }

    public static ApiException conflict(String error, String detail) {
        return new ApiException(409, error, detail, 0);
    }

    public static ApiException unprocessable(String error, String detail) {
        return new ApiException(422, error, detail, 0);
    }

    /** 503 with a Retry-After header: the request was fine, try again later. */
    public static ApiException unavailable(String error, String detail, int retryAfterSeconds) {
        return new ApiException(503, error, detail, Math.max(1, retryAfterSeconds));
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public String detail() {
        return detail;
    }

    /** Seconds for the Retry-After header, or 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
