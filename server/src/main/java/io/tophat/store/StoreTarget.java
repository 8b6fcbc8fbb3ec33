package io.tophat.store;

/**
 * Which engine holds a process's data: {@code sqlite} (files in its data folder, the embedded default) or a
 * PostgreSQL JDBC URL, with the password kept apart from it and out of every string this record makes.
 */
public record StoreTarget(String url, String password) {
    public static final String SQLITE = "sqlite";
    public static final StoreTarget EMBEDDED = new StoreTarget(SQLITE, null);

    public StoreTarget {
        if (!SQLITE.equals(url) && !PostgresStoreConfig.isPostgresUrl(url)) {
            throw new IllegalArgumentException("--store is sqlite or a PostgreSQL JDBC URL "
                    + "(jdbc:postgresql://host:5432/db?user=tophat), not '" + url + "'");
        }
        if (!SQLITE.equals(url)) {
            PostgresStoreConfig.of(url, password); // refuses a password inside the URL
        }
    }

    public boolean isSqlite() {
        return SQLITE.equals(url);
    }

    public PostgresStoreConfig postgres() {
        return PostgresStoreConfig.of(url, password);
    }

    @Override
    public String toString() {
        return isSqlite() ? SQLITE : postgres().description();
    }
}
