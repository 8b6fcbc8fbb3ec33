package io.tophat.http;

/** Query parameters both servers read the same way, each mistake a 400 naming the parameter. */
public final class QueryParams {
    private QueryParams() {
    }

    /** {@code limit}: a whole number from 1 to {@code max}; {@code fallback} when absent or empty. */
    public static int limit(String raw, int fallback, int max) {
        if (raw == null || raw.isEmpty()) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= max) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badRequest("invalid limit", "limit must be a whole number from 1 to " + max);
    }
}
