package io.tophat.store;

/**
 * Which engine holds a process's data: {@code sqlite} (files in its data folder, the embedded default) or a
 * PostgreSQL JDBC URL, with the password kept apart from it and out of every string this record makes.
 */
public record StoreTarget(String url, String password, int poolSize) {
    public static final String SQLITE = "sqlite";
    public static final StoreTarget EMBEDDED = new StoreTarget(SQLITE, null);

    /** With the default pool size. */
    public StoreTarget(String url, String password) {
        this(url, password, PostgresStoreConfig.DEFAULT_POOL_SIZE);
    }

    public StoreTarget {
        if (!SQLITE.equals(url) && !PostgresStoreConfig.isPostgresUrl(url)) {
            throw new IllegalArgumentException("--store is sqlite or a PostgreSQL JDBC URL "
                    + "(jdbc:postgresql://host:5432/db?user=tophat), not '" + PostgresStoreConfig.withoutSecrets(url)
                    + "'");
        }
        if (!SQLITE.equals(url)) {
            new PostgresStoreConfig(url, password, poolSize, PostgresStoreConfig.DEFAULT_STATEMENT_TIMEOUT); // checks
        }
    }

    public boolean isSqlite() {
        return SQLITE.equals(url);
    }

    public PostgresStoreConfig postgres() {
        return new PostgresStoreConfig(url, password, poolSize, PostgresStoreConfig.DEFAULT_STATEMENT_TIMEOUT);
    }

    @Override
    public String toString() {
        return isSqlite() ? SQLITE : postgres().description();
    }
}
