package io.tophat.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/** What the PostgreSQL stores share: how a pool is made and how a schema is migrated. */
public final class PostgresDatabase {
    private PostgresDatabase() {
    }

    /** A pool with the store's statement timeout on every connection, failing fast when the server is away. */
    public static HikariDataSource pool(PostgresStoreConfig config, String name) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(config.url());
        if (config.password() != null) {
            hikari.setPassword(config.password());
        }
        hikari.setPoolName(name);
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(1_000); // also caps Hikari's reconnect backoff at half of it
        hikari.setValidationTimeout(1_000);
        hikari.setSchema(config.schema());
        hikari.setConnectionInitSql("SET statement_timeout = " + config.statementTimeout().toMillis());
        hikari.addDataSourceProperty("ApplicationName", "tophat");
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        try {
            return new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new StoreException("cannot connect to the PostgreSQL store at " + config.description() + ": "
                    + rootMessage(e), e);
        }
    }

    public static void migrate(HikariDataSource pool, PostgresStoreConfig config, String location, String table) {
        try {
            Flyway.configure(PostgresDatabase.class.getClassLoader())
                    .dataSource(pool)
                    .schemas(config.schema())
                    .defaultSchema(config.schema())
                    .locations("classpath:" + location)
                    .table(table)
                    .failOnMissingLocations(true)
                    // workers and balancers may share one schema, each with its own history table: a schema that
                    // holds the other's tables already is taken as empty of this one's (baseline 0, then V1 on)
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new StoreException("cannot migrate the schema at " + config.description()
                    + ": " + rootMessage(e), e);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
