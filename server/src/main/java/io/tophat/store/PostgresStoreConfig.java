package io.tophat.store;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * How to reach a PostgreSQL heartbeat store.
 *
 * @param url              a pgjdbc URL, {@code jdbc:postgresql://host:5432/db?user=tophat}; its {@code currentSchema}
 *                         parameter, when given, names the schema the store lives in (default {@code public}).
 *                         Never holds the password.
 * @param password         the password, or null (trust or peer authentication, or a password in ~/.pgpass)
 * @param poolSize         connections in the pool the writer and the readers share (default 8)
 * @param statementTimeout the longest any statement may run before the server cancels it (default 30s)
 */
public record PostgresStoreConfig(String url, String password, int poolSize, Duration statementTimeout) {
    public static final int DEFAULT_POOL_SIZE = 8;
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);

    public PostgresStoreConfig {
        if (!isPostgresUrl(url)) {
            throw new IllegalArgumentException("a PostgreSQL store URL starts with jdbc:postgresql://, not '"
                    + withoutSecrets(url) + "'");
        }
        int query = url.indexOf('?');
        boolean userInfo = (query < 0 ? url : url.substring(0, query)).contains("@");
        if (url.toLowerCase(Locale.ROOT).contains("password=") || userInfo) {
            throw new IllegalArgumentException("the store URL must not hold the password (nor user@ before the host: "
                    + "give the user as ?user=); give the password in TOPHAT_STORE_PASSWORD or --store-password-file");
        }
        if (poolSize < 2) {
            throw new IllegalArgumentException("poolSize must be at least 2 (was " + poolSize + ")");
        }
        if (statementTimeout.isNegative() || statementTimeout.isZero()) {
            throw new IllegalArgumentException("statementTimeout must be positive (was " + statementTimeout + ")");
        }
    }

    public static PostgresStoreConfig of(String url, String password) {
        return new PostgresStoreConfig(url, password, DEFAULT_POOL_SIZE, DEFAULT_STATEMENT_TIMEOUT);
    }

    public static boolean isPostgresUrl(String url) {
        return url != null && url.startsWith("jdbc:postgresql://");
    }

    /** The schema named by the URL's {@code currentSchema} parameter, else {@code public}. */
    public String schema() {
        String value = parameter("currentSchema");
        return value == null || value.isBlank() ? "public" : value;
    }

    /** Every field, the password hidden. */
    @Override
    public String toString() {
        return "PostgresStoreConfig[url=" + url + ", password=" + (password == null ? "none" : "(hidden)")
                + ", poolSize=" + poolSize + ", statementTimeout=" + statementTimeout + "]";
    }

    /**
     * A store URL as it may be shown when it is refused: without anything up to its last {@code @} (a
     * {@code user:password@} before the host) and without the value of a {@code password} parameter.
     */
    static String withoutSecrets(String url) {
        if (url == null) {
            return "null";
        }
        String shown = url;
        int at = shown.lastIndexOf('@');
        if (at >= 0) {
            int scheme = shown.indexOf("://");
            shown = (scheme >= 0 && scheme < at ? shown.substring(0, scheme + 3) : "") + shown.substring(at + 1);
        }
        return shown.replaceAll("(?i)(password=)[^&;]*", "$1(hidden)");
    }

    /** Host, port, database and schema, for log lines: never the user's secrets. */
    public String description() {
        URI uri = URI.create(url.substring("jdbc:".length()));
        return "postgresql://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + uri.getPath()
                + " (schema " + schema() + ")";
    }

    private String parameter(String name) {
        int query = url.indexOf('?');
        if (query < 0) {
            return null;
        }
        for (String pair : url.substring(query + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
