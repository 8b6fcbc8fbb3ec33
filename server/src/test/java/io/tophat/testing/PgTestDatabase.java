package io.tophat.testing;

import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The machine's PostgreSQL for tests, from {@code TOPHAT_TEST_PG_URL} (a pgjdbc URL with the user, for example
 * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}; {@code .ci/run} sets it). Without it the PostgreSQL
 * tests are skipped, and the first says so on the Maven console ({@link SkipNotice}), unless
 * {@code TOPHAT_TEST_PG_REQUIRED} is set, as {@code .ci/run} sets it: then they fail, so CI never passes without
 * them. With it, a server that cannot be reached fails them. Each test works in a schema of its own, which
 * {@link #drop} removes.
 */
public final class PgTestDatabase {
    public static final String VARIABLE = "TOPHAT_TEST_PG_URL";
    public static final String REQUIRED = "TOPHAT_TEST_PG_REQUIRED";
    private static final String RUN = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 20);

    private PgTestDatabase() {
    }

    /** The server's URL, or the test is skipped (saying so once on the Maven console) when the variable is not set. */
    public static String url() {
        String url = System.getenv(VARIABLE);
        if (url == null || url.isBlank()) {
            String why = VARIABLE + " is not set (.ci/run sets it; for example " + VARIABLE
                    + "='jdbc:postgresql://127.0.0.1:5432/test?user=postgres')";
            if (System.getenv(REQUIRED) != null) {
                throw new IllegalStateException("PostgreSQL tests are required here (" + REQUIRED + "), but " + why);
            }
            SkipNotice.tell("postgresql", "PostgreSQL tests SKIPPED: " + why);
            Assumptions.abort(VARIABLE + " is not set: PostgreSQL tests skipped");
        }
        return url;
    }

    /** A schema name for {@code key}, the same for the same key within this test run, new for every run. */
    public static String schema(String key) {
        return ("tophat_t" + RUN + "_" + Integer.toHexString(key.hashCode())).toLowerCase(Locale.ROOT);
    }

    /** The server's URL with {@code currentSchema} set to {@code schema}. */
    public static String urlWithSchema(String schema) {
        String url = url();
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** Where the server listens, as its URL says (a relay put in front of it forwards there). */
    public record Server(String host, int port) {
    }

    public static Server server() {
        java.net.URI uri = java.net.URI.create(url().substring("jdbc:".length()));
        return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort());
    }

    /** {@link #urlWithSchema} reaching the server at {@code host:port} instead: through a relay, say. */
    public static String urlWithSchemaAt(String schema, String host, int port) {
        java.net.URI uri = java.net.URI.create(url().substring("jdbc:".length()));
        return urlWithSchema(schema).replace("//" + uri.getAuthority() + "/", "//" + host + ":" + port + "/");
    }

    /** Drops the schema and everything in it. */
    public static void drop(String schema) {
        try (Connection c = DriverManager.getConnection(url()); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema + ": " + e.getMessage(), e);
        }
    }
}
